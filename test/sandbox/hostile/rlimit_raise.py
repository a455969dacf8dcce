# Class 5: raise every resource limit back to its hard cap and past it.
import resource
raised = []
for name in ("RLIMIT_DATA", "RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_NPROC"):
    res = getattr(resource, name)
    soft, hard = resource.getrlimit(res)
    try:
        resource.setrlimit(res, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        if hard != resource.RLIM_INFINITY:
            raised.append(name)
    except (ValueError, OSError):
        pass
print("CONTAINED" if not raised else "ESCAPED: raised %r" % raised)

# Class 5: a shared anonymous mapping is not private memory, so RLIMIT_DATA never counted it; run
# under --memory 64, try to map and touch 512 MiB of it. RLIMIT_AS counts every mapping.
import mmap
try:
    m = mmap.mmap(-1, 512 << 20, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
    for off in range(0, len(m), 4096):
        m[off] = 1
    print("ESCAPED: 512 MiB shared mapping")
except (OSError, MemoryError) as exc:
    print("CONTAINED", type(exc).__name__)

# task: 2
# A placeholder entry function: defined, documented, does nothing.
def double(x):
    """TODO: implement."""
    pass

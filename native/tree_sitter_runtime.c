// tree-sitter's runtime, compiled from the copy the `tree-sitter` package ships (its
// vendor/tree-sitter/lib/src is on this target's include path; gyp cannot take a source file
// outside the project by absolute path, so it is included from here).
#include "lib.c"

{
  "targets": [
    {
      "target_name": "tree_export",
      "sources": [
        "tree_export.c",
        "tree_sitter_runtime.c"
      ],
      "include_dirs": [
        "<!(node -p \"require('path').join(require('path').dirname(require.resolve('tree-sitter/package.json')), 'vendor/tree-sitter/lib/include')\")",
        "<!(node -p \"require('path').join(require('path').dirname(require.resolve('tree-sitter/package.json')), 'vendor/tree-sitter/lib/src')\")"
      ],
      "defines": ["NAPI_VERSION=8", "_POSIX_C_SOURCE=200112L", "_DEFAULT_SOURCE"],
      "cflags_c": ["-std=c11", "-fvisibility=hidden"]
    }
  ]
}

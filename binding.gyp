{
  "targets": [
    {
      "target_name": "home_native",
      "sources": [
        "<!@(node scripts/sources.js)"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "src"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NAPI_CPP_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror", "-fvisibility=hidden",
                    "<!@(node scripts/libgit2-flags.js cflags)"],
      "libraries": ["<!@(node scripts/libgit2-flags.js libs)"],
      "conditions": [
        ["OS=='linux'", {
          # OpenSSL (and N-API) symbols are bound from the process when the addon loads, all of
          # them at once: one that is missing fails the load with its name (ERR_NATIVE_LOAD),
          # where lazy binding would kill the process at the first HTTPS clone.
          "ldflags": ["-Wl,-z,now"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "MACOSX_DEPLOYMENT_TARGET": "11.0",
            "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra", "-Werror", "<!@(node scripts/libgit2-flags.js cflags)"],
            "OTHER_LDFLAGS": ["-Wl,-bind_at_load"]
          }
        }]
      ]
    }
  ]
}

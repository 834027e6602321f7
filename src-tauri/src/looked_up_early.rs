// Shared by build.rs, which links these into the app, and `linking`, which preloads them into
// WebKit's processes; hence a file of its own, taken in with `include!`.

/// Libraries WebKitGTK loads anyway, in the app's process and in its web and network processes,
/// whose symbols are best looked up early. The dynamic linker looks each symbol up library by
/// library, in the order the libraries were loaded; these come deep in that order and many of
/// their relocations name their own symbols. Debian's WebKitGTK brings in flite's voice
/// `cmu_time_awb` alone with 31,000 such relocations, each looked up through about 80 other
/// libraries first. Measured on the app's process, the lookups at start fell from 4.2 to 1.9
/// million with these linked. WebKit's web process, started on its own until it looks for a
/// display, made 3.5 million lookups in about 70 ms; with these preloaded, 1.5 million in 50 ms.
const LOOKED_UP_EARLY: &[&str] = &[
    "libflite_cmu_time_awb.so.1",
    "libstdc++.so.6",
    "libyuv.so.0",
    "libasound.so.2",
    "libunistring.so.2",
];

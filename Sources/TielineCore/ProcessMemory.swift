#if canImport(Glibc)
import Glibc

// glibc's <malloc.h> is not part of Swift's Glibc module; M_ARENA_MAX is -8 there.
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let arenaMaxParameter: Int32 = -8
#endif

/// How this process uses memory.
public enum ProcessMemory {
    /// Caps glibc's malloc arenas (default: 8 per core). Memory one thread frees in its own arena is not
    /// reused by the others, so many arenas keep freed batches resident; two keep the agent and the hub
    /// inside their memory targets. `MALLOC_ARENA_MAX` in the environment still wins.
    public static func limitArenas(_ count: Int32 = 2) {
        #if canImport(Glibc)
        if getenv("MALLOC_ARENA_MAX") == nil { _ = glibcMallopt(arenaMaxParameter, count) }
        #endif
    }
}

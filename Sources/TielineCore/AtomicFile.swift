import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a reader sees either the old content or the new, never a mix.
///
/// The data goes to a temporary file in the same directory, is flushed to disk, and is then
/// renamed over the target; a crash mid-write leaves the old file untouched.
public enum AtomicFile {
    /// Writes `data` to `url` atomically; `permissions` such as `0o600` apply before the rename.
    public static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws(TielineError) {
        let directory = url.deletingLastPathComponent()
        do {
            // A folder made for an owner-only file (a token, a key) is owner-only too.
            let folderMode: mode_t = permissions & 0o077 == 0 ? 0o700 : 0o755
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: Int(folderMode)])
        } catch {
            throw TielineError(.fileWrite, "cannot create directory \(directory.path): \(error.localizedDescription)")
        }
        let temp = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL, permissions)
        guard fd >= 0 else {
            throw TielineError(.fileWrite, "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
        var ok = fchmod(fd, permissions) == 0
        data.withUnsafeBytes { buffer in
            var offset = 0
            while ok, offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { ok = false } else { offset += n }
            }
        }
        ok = ok && fsync(fd) == 0
        let closed = close(fd) == 0
        guard ok, closed, rename(temp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp.path)
            throw TielineError(.fileWrite, "cannot write \(url.path): \(reason)")
        }
        // Make the rename itself durable.
        let dirfd = open(directory.path, O_RDONLY)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
    }
}

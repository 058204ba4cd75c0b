import CSQLiteSetup

/// Process-wide SQLite settings, applied before any database is opened.
public enum SQLiteSetup {
    /// Turns SQLite's memory statistics off. Debian's SQLite is built without its lookaside allocator, so
    /// every small allocation of a statement step goes to malloc, and with statistics on each one also takes a
    /// global mutex: off, the hub spends about 5 % less CPU on a Deep sync (alternating runs, README).
    /// Nothing in Tieline reads those statistics. Too late once SQLite has started; then it changes nothing.
    public static func start() {
        _ = tieline_sqlite_disable_memstatus()
    }
}

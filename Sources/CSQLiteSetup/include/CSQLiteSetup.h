#ifndef TIELINE_CSQLITE_SETUP_H
#define TIELINE_CSQLITE_SETUP_H

/// Turns off SQLite's memory statistics; returns SQLite's result code (SQLITE_MISUSE once SQLite is initialized).
/// sqlite3_config is variadic, which Swift cannot call: hence this one C function.
int tieline_sqlite_disable_memstatus(void);

#endif

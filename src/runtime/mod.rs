//! The runtime: everything with I/O around the pure app. `load` resolves and reads what to
//! show (demo, snapshot, live account), `effects` carries out what `app::update` asks for,
//! `terminal` owns the terminal and runs the loop, `incident` prepares `guardpost incident`.
pub mod effects;
pub mod fix;
pub mod incident;
pub mod load;
pub mod logging;
pub mod org;
pub mod terminal;

/// One malloc arena for the whole process (glibc). glibc gives each thread that allocates
/// while another holds the lock its own arena; the runtime's two workers' partly used arenas
/// were ~1.6 MiB of a 300-user check's 31.7 MiB peak (docs/performance.md). Allocation is
/// never what guardpost waits on (its reads wait on the network), so one lock is no cost.
/// Called first thing in `main`, before any thread exists.
pub fn single_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // glibc's malloc.h: `#define M_ARENA_MAX -8`.
        const M_ARENA_MAX: i32 = -8;
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        // SAFETY: mallopt only sets a tuning parameter of glibc's allocator; no thread of ours
        // runs yet.
        unsafe {
            mallopt(M_ARENA_MAX, 1);
        }
    }
}

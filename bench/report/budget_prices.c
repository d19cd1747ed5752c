/* Which kernel probe prices which system call (the table), and the cost
 * of a read by its size.  */
#include <math.h>
#include <string.h>

#include "bench/report/budget.h"

/*
 * Calls of the same kind
 * share a probe: a path lookup is a path lookup whichever flavour of stat
 * makes it, and a call that only enters and leaves the kernel costs what
 * getpid costs.  weight 0: the call is paid within another row's probe
 * (close within file_open_close's openat+close), so it is priced at
 * nothing, that probe measured or not.  covers: the probe makes other
 * calls too, all paid in this price: with the probe's own counts (which
 * `explain --syscalls` adds beside a benchmark that makes the call), as
 * many of those calls are taken off the benchmark's counts.  large:
 * the same call at a larger size, for a cost by the mean size of the
 * benchmark's calls (budget_read_delta).  less: a probe pricing calls the
 * probe makes besides the one it prices, less_weight of them per
 * iteration, taken off its cost.
 *
 * Memory: a call is priced untouched, in the sizes the workloads use
 * (CPython's 1 MiB arenas, malloc's 132 KiB break steps), and every page it
 * brings, faulted in and released, once, as a page fault (arena_fault):
 * the counts cannot say how many pages a munmap or madvise frees, the
 * fault count can.
 *
 * Processes: vfork_exec is a vfork (as posix_spawn and Python's
 * subprocess make a process), exec of a small binary (the dynamic loader's
 * ~60 mmaps and 14 opens), exit and wait: its counts take the same start-up
 * off the benchmark's.  Without them the exec'd child's start-up was priced
 * twice, in execve and call by call (python_startup 138%, process_spawn
 * 145%); what the benchmark's child does beyond it (posix_spawn's 118
 * rt_sigaction, Python's own start-up) stays.  A whole fork (fork_exec)
 * copies the parent's memory map: under gVisor 9.4 ms more, which priced
 * every spawn of the catalogue too dear (python_startup 133%).
 */
const struct budget_price budget_prices[] = {
	/* path lookups */
	{ "newfstatat", "file_stat", 1 },
	{ "statx", "file_stat", 1 },
	{ "stat", "file_stat", 1 },
	{ "lstat", "file_stat", 1 },
	{ "access", "file_stat", 1 },
	{ "faccessat", "file_stat", 1 },
	{ "faccessat2", "file_stat", 1 },
	{ "readlink", "file_stat", 1 },
	{ "readlinkat", "file_stat", 1 },
	/* calls on an open file */
	{ "fstat", "file_fstat", 1 },
	{ "lseek", "file_lseek", 1 },
	{ "read", "file_read_4k", 1, 0, "file_read_64k" },
	{ "pread64", "file_read_4k", 1, 0, "file_read_64k" },
	{ "getdents64", "dir_getdents", 1, 1 },
	{ "getdents", "dir_getdents", 1, 1 },
	{ "openat", "file_open_close", 1, 1 },
	{ "open", "file_open_close", 1, 1 },
	{ "close", "file_open_close", 0 },
	{ "fsync", "file_write_fsync", 1, 1 },
	{ "fdatasync", "file_write_fsync", 1, 1 },
	/* entry and exit, little else */
	{ "getpid", "syscall_getpid", 1 },
	{ "gettid", "syscall_getpid", 1 },
	{ "getppid", "syscall_getpid", 1 },
	{ "getuid", "syscall_getpid", 1 },
	{ "geteuid", "syscall_getpid", 1 },
	{ "getgid", "syscall_getpid", 1 },
	{ "getegid", "syscall_getpid", 1 },
	{ "rt_sigprocmask", "syscall_getpid", 1 },
	{ "rt_sigaction", "syscall_getpid", 1 },
	{ "ioctl", "syscall_getpid", 1 },
	{ "fcntl", "syscall_getpid", 1 },
	{ "dup", "syscall_getpid", 1 },
	{ "dup2", "syscall_getpid", 1 },
	{ "dup3", "syscall_getpid", 1 },
	{ "umask", "syscall_getpid", 1 },
	{ "getrandom", "syscall_getpid", 1 },
	{ "sched_yield", "syscall_getpid", 1 },
	{ "getcwd", "syscall_getpid", 1 },
	{ "sysinfo", "syscall_getpid", 1 },
	{ "prlimit64", "syscall_getpid", 1 },
	{ "arch_prctl", "syscall_getpid", 1 },
	{ "set_tid_address", "syscall_getpid", 1 },
	{ "set_robust_list", "syscall_getpid", 1 },
	{ "rseq", "syscall_getpid", 1 },
	{ "setsockopt", "syscall_getpid", 1 },
	{ "getsockopt", "syscall_getpid", 1 },
	{ "getsockname", "syscall_getpid", 1 },
	{ "getpeername", "syscall_getpid", 1 },
	/* memory */
	{ "brk", "brk_grow_shrink", 1 },
	{ "mmap", "mmap_munmap", 1 },
	{ "munmap", "mmap_munmap", 1 },
	{ "mprotect", "mmap_munmap", 1 },
	{ "madvise", "madvise_dontneed", 1 },
	{ "mremap", "mmap_munmap", 1 },
	/* the arena's mmap and munmap, 2 calls per 256 pages, taken off */
	{ BUDGET_FAULTS, "arena_fault", 1, .less = "mmap_munmap", .less_weight = 2.0 / 256 },
	/* waiting and clocks */
	{ "futex", "futex_wake", 1 },
	{ "epoll_wait", "epoll_wait_zero", 1 },
	{ "epoll_ctl", "epoll_wait_zero", 1 },
	{ "epoll_pwait", "epoll_wait_zero", 1 },
	{ "poll", "epoll_wait_zero", 1 },
	{ "ppoll", "epoll_wait_zero", 1 },
	{ "select", "epoll_wait_zero", 1 },
	{ "pselect6", "epoll_wait_zero", 1 },
	{ "clock_gettime", "clock_gettime", 1 },
	{ "gettimeofday", "clock_gettime", 1 },
	/* loopback TCP: a round trip is a send and a receive on each side, as
	 * an event loop makes it (asyncio_tcp and tornado_http serve
	 * themselves in one loop); its two epoll_waits, priced by their own
	 * row, taken off */
	{ "sendto", "tcp_epoll_rtt", 0.25, .less = "epoll_wait_zero", .less_weight = 2 },
	{ "recvfrom", "tcp_epoll_rtt", 0.25, .less = "epoll_wait_zero", .less_weight = 2 },
	{ "sendmsg", "tcp_epoll_rtt", 0.25, .less = "epoll_wait_zero", .less_weight = 2 },
	{ "recvmsg", "tcp_epoll_rtt", 0.25, .less = "epoll_wait_zero", .less_weight = 2 },
	/* loopback TCP connections: made, accepted, closed, as one */
	{ "socket", "tcp_connect", 1, 1 },
	{ "connect", "tcp_connect", 0 },
	{ "accept4", "tcp_connect", 0 },
	{ "accept", "tcp_connect", 0 },
	/* processes: vfork, exec of a no-op, exit and wait, as one */
	{ "execve", "vfork_exec", 1, 1 },
	{ "clone", "vfork_exec", 0 },
	{ "clone3", "vfork_exec", 0 },
	{ "vfork", "vfork_exec", 0 },
	{ "wait4", "vfork_exec", 0 },
};

const size_t budget_nprices = sizeof(budget_prices) / sizeof(budget_prices[0]);

const struct budget_price *budget_price_of(const char *syscall)
{
	for (size_t i = 0; i < budget_nprices; i++)
		if (strcmp(budget_prices[i].syscall, syscall) == 0)
			return &budget_prices[i];
	return NULL;
}

int budget_is_probe(const char *probe)
{
	for (size_t i = 0; i < budget_nprices; i++) {
		const struct budget_price *p = &budget_prices[i];

		if (strcmp(p->probe, probe) == 0 || (p->large && strcmp(p->large, probe) == 0) ||
		    (p->less && strcmp(p->less, probe) == 0))
			return 1;
	}
	return 0;
}

/* The sizes of a price row's probe and of its large probe.  */
#define READ_SMALL 4096.0
#define READ_LARGE 65536.0

double budget_read_delta(double small, double large, double bytes)
{
	/* A read costs its call and its copy: linear in the size, from the two
	 * probes; below the small probe's size, the call alone (the small
	 * probe's cost).  Linear, so the mean size prices a mix of sizes
	 * exactly (as long as they are above 4 KiB).  */
	if (isnan(bytes) || bytes <= READ_SMALL)
		return small;
	/* A larger read costs no less: a large probe below the small one is
	 * noise (seen on a loaded machine), and the small price stands.  */
	if (large < small)
		return small;
	return small + (bytes - READ_SMALL) * (large - small) / (READ_LARGE - READ_SMALL);
}

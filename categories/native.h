/* The native workloads (C code under categories/), for the registry.  */
#ifndef CATEGORIES_NATIVE_H
#define CATEGORIES_NATIVE_H

#include "categories/registry.h"

/* What a native twin's last run() found, keyed like the JSON its Python
 * helper returns ("element_count", "expected_counts[2]"), so that tests can
 * compare the two sides.  Every twin's state starts with one, and the
 * state pointer setup() returns points to it.  */
struct native_figures {
	unsigned n;
	struct native_figure {
		const char *key;
		double value;
	} v[12];
};

/* Record figure i of a twin's last run.  */
static inline void native_figure_set(struct native_figures *f, unsigned i,
				     const char *key, double value)
{
	f->v[i].key = key;
	f->v[i].value = value;
	if (f->n <= i)
		f->n = i + 1;
}

/* kernel/probes.c */
extern const struct bench_native_ops kernel_syscall_getpid_ops;
extern const struct bench_native_ops kernel_clock_gettime_ops;
extern const struct bench_native_ops kernel_file_open_close_ops;
extern const struct bench_native_ops kernel_file_stat_ops;
extern const struct bench_native_ops kernel_file_read_4k_ops;
extern const struct bench_native_ops kernel_file_read_64k_ops;
extern const struct bench_native_ops kernel_file_write_fsync_ops;
extern const struct bench_native_ops kernel_pipe_pingpong_ops;
extern const struct bench_native_ops kernel_futex_pingpong_ops;
extern const struct bench_native_ops kernel_tcp_loopback_rtt_ops;
extern const struct bench_native_ops kernel_tcp_epoll_rtt_ops;
extern const struct bench_native_ops kernel_fork_exec_ops;
extern const struct bench_native_ops kernel_vfork_exec_ops;
extern const struct bench_native_ops kernel_file_lseek_ops;
extern const struct bench_native_ops kernel_file_fstat_ops;
extern const struct bench_native_ops kernel_dir_getdents_ops;
extern const struct bench_native_ops kernel_futex_wake_ops;
extern const struct bench_native_ops kernel_epoll_wait_zero_ops;
extern const struct bench_native_ops kernel_tcp_connect_ops;

/* kernel/memory.c */
extern const struct bench_native_ops kernel_mmap_fault_ops;
extern const struct bench_native_ops kernel_arena_fault_ops;
extern const struct bench_native_ops kernel_mmap_munmap_ops;
extern const struct bench_native_ops kernel_brk_grow_shrink_ops;
extern const struct bench_native_ops kernel_madvise_dontneed_ops;

/* startup/startup.c */
extern const struct bench_native_ops startup_python_ops;
extern const struct bench_native_ops startup_python_no_site_ops;

/* startup/process_spawn.c */
extern const struct bench_native_ops startup_process_spawn_ops;

/* `__noop`: the child mode of process_spawn and fork_exec, which returns 0
 * at once (bench/cmd/main.c's commands[]).  */
int child_noop(int argc, char **argv);

/* serialize/xml_libxml2.c */
#if HAVE_LIBXML2
extern const struct bench_native_ops serialize_xml_parse_libxml2_ops;
extern const struct bench_native_ops serialize_xml_iterparse_libxml2_ops;
extern const struct bench_native_ops serialize_xml_generate_libxml2_ops;
#endif

/* regex/regex_pcre2.c */
#if HAVE_PCRE2
extern const struct bench_native_ops regex_dna_pcre2_ops;
extern const struct bench_native_ops regex_effbot_pcre2_ops;
#endif

/* sql/sqlite_synth_c.c */
#if HAVE_SQLITE3
extern const struct bench_native_ops sql_sqlite_synth_c_ops;
#endif

/* pathlib/pathlib_c.c */
extern const struct bench_native_ops pathlib_c_ops;

#endif

/* The price table of the budget: a read priced by its size, a fault by a
 * fresh arena's page less the arena's own calls, calls paid within another
 * probe; and each probe makes, under strace, the calls its row assumes.  */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "bench/lib/util.h"
#include "bench/report/budget.h"
#include "categories/registry.h"
#include "tests/support.h"

TestSuite(budget_prices, .timeout = 30);

/* A budget of counts (and bytes read) against hand-made probe costs.  */
static void compute(const char *counts, double read_bytes, double faults, const char *ref,
		    const char *rt, json_t *probe_counts, struct budget *b)
{
	struct budget_input in = {
		.counts = json_loads(counts, 0, NULL),
		.read_bytes = read_bytes,
		.probe_counts = probe_counts,
		.faults = faults,
		.ref_costs = json_loads(ref, 0, NULL),
		.rt_costs = json_loads(rt, 0, NULL),
		.ref_mean = 1e-2, .ratio = 2, .lo = 1.9, .hi = 2.1,
	};

	cr_assert_not_null(in.counts);
	cr_assert_not_null(in.ref_costs);
	cr_assert_not_null(in.rt_costs);
	budget_compute(&in, b);
	json_decref(in.counts);
	json_decref(in.ref_costs);
	json_decref(in.rt_costs);
}

static const char read_ref[] = "{\"file_read_4k\": 1e-6, \"file_read_64k\": 4e-6}";
static const char read_rt[] = "{\"file_read_4k\": 61e-6, \"file_read_64k\": 94e-6}";

/* 4 KiB: +60 us, 64 KiB: +90 us; reads of 34 KiB on average (4 KiB + 30
 * KiB) cost half-way, +75 us; smaller than 4 KiB, +60 us.  */
Test(budget_prices, a_read_is_priced_by_its_mean_size)
{
	struct budget b;

	compute("{\"read\": 90, \"pread64\": 10}", 100 * (4096.0 + 30720), NAN, read_ref, read_rt,
		NULL, &b);
	cr_assert_eq(b.nunpriced, 0);
	cr_assert_float_eq(b.predicted, 100 * 75e-6, 1e-12);
	cr_assert_str_eq(b.top[0].name, "read");
	cr_assert_float_eq(b.top[0].delta, 75e-6, 1e-12);
	budget_release(&b);

	/* Small reads need no 64 KiB probe.  */
	compute("{\"read\": 100}", 100 * 832.0, NAN, "{\"file_read_4k\": 1e-6}",
		"{\"file_read_4k\": 61e-6}", NULL, &b);
	cr_assert_eq(b.nunpriced, 0);
	cr_assert_float_eq(b.predicted, 100 * 60e-6, 1e-12);
	budget_release(&b);

	/* Whole 256 KiB files: on along the line, +150 us.  */
	compute("{\"read\": 2}", 2 * 262144.0, NAN, read_ref, read_rt, NULL, &b);
	cr_assert_float_eq(b.top[0].delta, 60e-6 + (262144.0 - 4096) * 30e-6 / 61440, 1e-12);
	budget_release(&b);

	/* A 64 KiB probe cheaper than the 4 KiB one is noise: the 4 KiB price.  */
	compute("{\"read\": 10}", 10 * 65536.0, NAN, read_ref,
		"{\"file_read_4k\": 61e-6, \"file_read_64k\": 40e-6}", NULL, &b);
	cr_assert_float_eq(b.predicted, 10 * 60e-6, 1e-12);
	budget_release(&b);

	/* Counts without sizes (before they were counted): the 4 KiB price.  */
	compute("{\"read\": 100}", NAN, NAN, read_ref, read_rt, NULL, &b);
	cr_assert_float_eq(b.predicted, 100 * 60e-6, 1e-12);
	budget_release(&b);

	/* With sizes but no 64 KiB probe: unpriced, the probe named.  */
	compute("{\"read\": 100}", 100 * 65536.0, NAN, "{\"file_read_4k\": 1e-6}",
		"{\"file_read_4k\": 61e-6}", NULL, &b);
	cr_assert_eq(b.nunpriced, 1);
	cr_assert_eq(b.nmissing, 1);
	cr_assert_str_eq(b.unpriced[0].probe, "file_read_64k");
	budget_release(&b);
}

/* tcp_epoll_rtt's round trip (2 sends, 2 waits, 2 receives) prices a
 * send or receive at a quarter of it less its two waits, which
 * epoll_wait_zero prices: an event loop's 8 socket calls and 3 waits are
 * 8 quarters of (+400 - 2 x +60) us and 3 x +60 us.  */
Test(budget_prices, a_socket_call_is_a_quarter_of_a_round_trip_less_its_waits)
{
	struct budget b;

	compute("{\"sendto\": 4, \"recvfrom\": 4, \"epoll_wait\": 3}", NAN, NAN,
		"{\"tcp_epoll_rtt\": 10e-6, \"epoll_wait_zero\": 1e-6}",
		"{\"tcp_epoll_rtt\": 410e-6, \"epoll_wait_zero\": 61e-6}", NULL, &b);
	cr_assert_eq(b.nunpriced, 0);
	cr_assert_float_eq(b.predicted, 8 * (400e-6 - 2 * 60e-6) / 4 + 3 * 60e-6, 1e-12);
	budget_release(&b);

	/* Without epoll_wait_zero, the socket calls are unpriced, it named.  */
	compute("{\"sendto\": 4}", NAN, NAN, "{\"tcp_epoll_rtt\": 10e-6}",
		"{\"tcp_epoll_rtt\": 410e-6}", NULL, &b);
	cr_assert_eq(b.nunpriced, 1);
	cr_assert_str_eq(b.unpriced[0].probe, "epoll_wait_zero");
	budget_release(&b);
}

/* arena_fault's time per page holds 2/256 of an mmap or munmap: taken off
 * at mmap_munmap's price, the rest is the fault's, its own term.  */
Test(budget_prices, a_fault_is_a_fresh_pages_cost_less_the_arenas_calls)
{
	struct budget b;
	double fault = (15.6e-6 - 11.4e-6) - 2.0 / 256 * (155e-6 - 2.8e-6);

	compute("{\"getpid\": 1}", NAN, 1000,
		"{\"syscall_getpid\": 1e-6, \"arena_fault\": 11.4e-6, \"mmap_munmap\": 2.8e-6}",
		"{\"syscall_getpid\": 62e-6, \"arena_fault\": 15.6e-6, \"mmap_munmap\": 155e-6}",
		NULL, &b);
	cr_assert_float_eq(b.predicted, 61e-6 + 1000 * fault, 1e-12);
	cr_assert_str_eq(b.faults.name, BUDGET_FAULTS);
	cr_assert_float_eq(b.faults.count, 1000, 1e-9);
	cr_assert_float_eq(b.faults.delta, fault, 1e-15);
	cr_assert_float_eq(b.faults.contrib, 1000 * fault, 1e-12);
	budget_release(&b);

	/* Without mmap_munmap the fault is not priced: its probe is named.  */
	compute("{\"getpid\": 1}", NAN, 1000, "{\"syscall_getpid\": 1e-6, \"arena_fault\": 1e-5}",
		"{\"syscall_getpid\": 62e-6, \"arena_fault\": 2e-5}", NULL, &b);
	cr_assert_eq(b.nunpriced, 1);
	cr_assert_str_eq(b.unpriced[0].name, BUDGET_FAULTS);
	cr_assert_str_eq(b.unpriced[0].probe, "mmap_munmap");
	cr_assert_eq(b.faults.count, 0);
	budget_release(&b);
}

/* A child's faults count beyond those of the vfork_exec child its execve is
 * priced as: 2to3's child Python makes 4,200, vfork_exec's small binary's
 * 200.  */
Test(budget_prices, a_childs_faults_count_beyond_the_exec_probes_child)
{
	const char *ref = "{\"vfork_exec\": 1e-3, \"arena_fault\": 11.4e-6, \"mmap_munmap\": 2.8e-6}";
	const char *rt = "{\"vfork_exec\": 5e-3, \"arena_fault\": 15.6e-6, \"mmap_munmap\": 155e-6}";
	double fault = (15.6e-6 - 11.4e-6) - 2.0 / 256 * (155e-6 - 2.8e-6);
	json_t *probes = json_pack("{s:{s:f}}", "vfork_exec", "execve", 1.0);
	struct budget_input in = {
		.counts = json_pack("{s:f}", "execve", 1.0),
		.probe_counts = probes,
		.faults = 100, .child_faults = 4200, .exec_child_faults = 200,
		.ref_costs = json_loads(ref, 0, NULL), .rt_costs = json_loads(rt, 0, NULL),
		.ref_mean = 0.5, .ratio = 1.1, .lo = 1.05, .hi = 1.15,
	};
	struct budget b;

	budget_compute(&in, &b);
	cr_assert_float_eq(b.faults.count, 100 + 4200 - 200, 1e-9);
	cr_assert_float_eq(b.predicted, 4e-3 + 4100 * fault, 1e-12);
	budget_release(&b);

	/* A child made without execve (a fork): every fault of it counts.  */
	json_object_set_new(in.counts, "execve", json_real(0));
	budget_compute(&in, &b);
	cr_assert_float_eq(b.faults.count, 4300, 1e-9);
	budget_release(&b);

	/* A probe file from before children's faults were recorded: the
	 * worker's own, as before.  */
	json_object_set_new(in.counts, "execve", json_real(1));
	in.exec_child_faults = NAN;
	budget_compute(&in, &b);
	cr_assert_float_eq(b.faults.count, 100, 1e-9);
	budget_release(&b);
	json_decref(in.counts);
	json_decref(in.ref_costs);
	json_decref(in.rt_costs);
	json_decref(probes);
}

/* wait4 is paid within execve's probe: priced at nothing, even when
 * vfork_exec did not run (a call of weight 0 needs no probe).  */
Test(budget_prices, wait4_is_paid_within_the_exec_probe)
{
	struct budget b;

	compute("{\"wait4\": 1, \"close\": 3}", NAN, NAN, "{}", "{}", NULL, &b);
	cr_assert_eq(b.nunpriced, 0, "%zu unpriced", b.nunpriced);
	cr_assert_eq(b.nmissing, 0);
	cr_assert_float_eq(b.predicted, 0, 1e-15);
	budget_release(&b);
}

/* The probes a row names besides its own exist, in the kernel category;
 * arena_fault's share of calls is its own: 2 per inner loop count.  */
Test(budget_prices, every_large_and_less_probe_exists)
{
	const struct bench_def *arena = bench_registry_find("arena_fault");

	for (size_t i = 0; i < budget_nprices; i++) {
		const struct budget_price *p = &budget_prices[i];
		const char *other[] = { p->large, p->less };

		for (size_t j = 0; j < 2; j++) {
			if (!other[j])
				continue;
			cr_assert_not_null(bench_registry_find(other[j]), "`%s`: no probe `%s`",
					   p->syscall, other[j]);
			cr_assert_str_eq(bench_registry_find(other[j])->category, "kernel");
			cr_assert(budget_is_probe(other[j]));
		}
	}
	cr_assert_not_null(arena);
	cr_assert_str_eq(budget_price_of(BUDGET_FAULTS)->probe, "arena_fault");
	cr_assert_float_eq(budget_price_of(BUDGET_FAULTS)->less_weight,
			   2.0 / arena->native->inner_loops, 1e-12);
}

/* ---- under strace ---- */

static char dir[] = "/tmp/sandbench-test-prices-XXXXXX";

static void e2e_setup(void)
{
	support_make_dir(dir);
}

static void e2e_teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(budget_prices_e2e, .init = e2e_setup, .fini = e2e_teardown, .timeout = 600);

/* calls per probe iteration of the call the row prices: strace's count
 * matches what the price assumes (one call an iteration; mmap_munmap's
 * mmap and munmap half each; tcp_epoll_rtt's round trip two sends, two
 * waits and two receives).  */
static const struct {
	const char *probe, *call;
	double per_iteration;
} expected[] = {
	{ "brk_grow_shrink", "brk", 1 },
	{ "mmap_munmap", "mmap", 0.5 },
	{ "mmap_munmap", "munmap", 0.5 },
	{ "madvise_dontneed", "madvise", 1 },
	{ "file_read_4k", "pread64", 1 },
	{ "file_read_64k", "pread64", 1 },
	{ "vfork_exec", "execve", 1 },
	{ "vfork_exec", "wait4", 1 },
	{ "tcp_epoll_rtt", "sendto", 2 },
	{ "tcp_epoll_rtt", "recvfrom", 2 },
	{ "tcp_epoll_rtt", "epoll_wait", 2 },
};

/* The calls per iteration the rows above give probe.  */
static double expected_total(const char *probe)
{
	double total = 0;

	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		if (strcmp(expected[i].probe, probe) == 0)
			total += expected[i].per_iteration;
	return total;
}

/* Each memory, read and event-loop probe makes the calls its price assumes and no
 * other (arena_fault: fewer than 0.01 a page), the reads the bytes their
 * size says; vfork_exec is counted beside process_spawn without being
 * asked, and takes the child's start-up off process_spawn's counts, so
 * that nothing of it is priced twice.  */
Test(budget_prices_e2e, each_probe_prices_what_it_says)
{
	char *out = xasprintf("%s/syscalls.json", dir);
	struct cmd r;
	json_t *doc, *benches, *spawn, *vfork_exec, *v;
	const char *name;
	struct budget b;
	char *counts;

	if (!have("strace"))
		cr_skip_test("needs strace (apt-get install strace)");
	r = support_run(dir, "syscalls", (char *[]){ "explain", "--syscalls", "-b",
		"brk_grow_shrink,mmap_munmap,madvise_dontneed,arena_fault,file_read_4k,"
		"file_read_64k,process_spawn,tcp_epoll_rtt", "-o", out, NULL });
	cr_assert_eq(r.status, 0, "explain --syscalls failed:\n%s", r.err);
	cmd_free(&r);
	doc = load(out);
	benches = json_object_get(doc, "benchmarks");
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		json_t *calls = json_object_get(benches, expected[i].probe);
		double total = 0;

		cr_assert_not_null(calls, "`%s` not counted", expected[i].probe);
		cr_assert_float_eq(json_number_value(json_object_get(calls, expected[i].call)),
				   expected[i].per_iteration, 0.02, "%s: %s", expected[i].probe,
				   expected[i].call);
		if (strcmp(expected[i].probe, "vfork_exec") == 0)
			continue;
		json_object_foreach(calls, name, v)
			total += json_number_value(v);
		cr_assert_float_eq(total, expected_total(expected[i].probe), 0.02,
				   "%s makes other calls", expected[i].probe);
	}
	cr_assert_eq(json_object_size(json_object_get(benches, "arena_fault")), 0);
	cr_assert_float_eq(json_number_value(json_object_get(json_object_get(doc, "read_bytes"),
							     "file_read_4k")), 4096, 1);
	cr_assert_float_eq(json_number_value(json_object_get(json_object_get(doc, "read_bytes"),
							     "file_read_64k")), 65536, 1);

	/* process_spawn's child is vfork_exec's: after the cover, its start-up
	 * (60-odd mmaps, 14 opens) is gone; what posix_spawn adds stays.  */
	spawn = json_object_get(benches, "process_spawn");
	vfork_exec = json_object_get(benches, "vfork_exec");
	cr_assert_not_null(vfork_exec, "vfork_exec was not counted beside process_spawn");
	cr_assert_gt(json_number_value(json_object_get(spawn, "mmap")), 20);
	counts = json_dumps(spawn, 0);
	/* execve +1 ms, a memory call +1 us, the rest at no change.  */
	compute(counts, NAN, NAN,
		"{\"vfork_exec\": 1e-3, \"syscall_getpid\": 1e-6, \"mmap_munmap\": 1e-6, "
		"\"file_open_close\": 1e-6, \"file_stat\": 1e-6, \"file_read_4k\": 1e-6}",
		"{\"vfork_exec\": 2e-3, \"syscall_getpid\": 1e-6, \"mmap_munmap\": 2e-6, "
		"\"file_open_close\": 1e-6, \"file_stat\": 1e-6, \"file_read_4k\": 1e-6}",
		benches, &b);
	/* Uncovered, the child's 60-odd mmaps and 15 mprotects would add 75 us
	 * or more; covered, what process_spawn maps beyond vfork_exec.  */
	cr_assert_geq(b.predicted, 1e-3, "%g", b.predicted);
	cr_assert_lt(b.predicted, 1e-3 + 5e-6, "the child's start-up priced twice: %g",
		     b.predicted);
	cr_assert_str_eq(b.top[0].name, "execve");
	budget_release(&b);
	free(counts);
	json_decref(doc);
	free(out);
}

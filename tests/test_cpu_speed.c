/* Whether the CPUs a run may use are equally fast: the same loop on each at
 * once, against processes that share one of them; and `run` says so.  */
#include <criterion/criterion.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/harness/cpu_speed.h"
#include "bench/lib/util.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-cpu-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(cpu_speed, .init = setup, .fini = teardown, .timeout = 120);

Test(cpu_speed, the_spread_is_the_slowest_over_the_fastest)
{
	struct cpu_speed s = { .n = 3, .cpu = { 0, 2, 5 }, .seconds = { 0.010, 0.0145, 0.008 } };
	int fast, slow;

	cr_assert_float_eq(cpu_speed_spread(&s, &fast, &slow), 0.0145 / 0.008, 1e-12);
	cr_assert_eq(s.cpu[fast], 5);
	cr_assert_eq(s.cpu[slow], 2);
	s.n = 1;
	cr_assert_float_eq(cpu_speed_spread(&s, &fast, &slow), 1, 0);
}

/* The first two CPUs this process may use, or skip.  */
static void two_cpus(int *a, int *b)
{
	cpu_set_t set;
	int n = 0;

	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	for (int cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			*(n++ ? b : a) = cpu;
	if (n < 2)
		cr_skip_test("one CPU: nothing to compare");
}

/* n processes spinning on cpu at a raised priority (so that what else
 * runs on the machine cannot decide the test), to be killed with stop_hogs
 * (or dying with the test, should it fail first).  */
static void start_hogs(int cpu, pid_t hogs[], int n)
{
	for (int i = 0; i < n; i++) {
		hogs[i] = fork();
		cr_assert_geq(hogs[i], 0);
		if (hogs[i] == 0) {
			cpu_set_t one;

			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1 ||
			    setpriority(PRIO_PROCESS, 0, -5) < 0 ||
			    sched_setaffinity(0, sizeof(one), &one) < 0)
				_exit(1);
			for (volatile unsigned long x = 0;; x++)
				;
		}
	}
	/* Running, and level with any task that comes to share the CPU.  */
	usleep(300000);
}

static void stop_hogs(pid_t hogs[], int n)
{
	for (int i = 0; i < n; i++) {
		kill(hogs[i], SIGKILL);
		waitpid(hogs[i], NULL, 0);
	}
}

/* A CPU shared with three busy processes of a raised priority leaves the
 * loop a sliver of its time: measured against itself alone (so that CPUs of
 * unequal speed cannot decide it), at least 3x slower.  */
Test(cpu_speed, a_cpu_shared_with_busy_processes_is_slower)
{
	struct cpu_speed before, shared, after;
	cpu_set_t set;
	pid_t hogs[3];
	double alone = INFINITY, beside = NAN;
	int a, b;

	if (geteuid() != 0)
		cr_skip_test("the busy processes need root for their priority");
	two_cpus(&a, &b);
	CPU_ZERO(&set);
	CPU_SET(a, &set);
	CPU_SET(b, &set);
	cr_assert_eq(cpu_speed_measure(&set, 0, &before), 0);
	start_hogs(b, hogs, 3);
	cr_assert_eq(cpu_speed_measure(&set, 0, &shared), 0);
	stop_hogs(hogs, 3);
	cr_assert_eq(cpu_speed_measure(&set, 0, &after), 0);
	/* Alone: the quicker of before and after, a burst of load aside.  */
	for (int i = 0; i < 2; i++) {
		if (before.cpu[i] == b)
			alone = fmin(alone, before.seconds[i]);
		if (after.cpu[i] == b)
			alone = fmin(alone, after.seconds[i]);
		if (shared.cpu[i] == b)
			beside = shared.seconds[i];
	}
	cr_assert(isfinite(alone) && !isnan(beside), "CPU %d was not measured", b);
	cr_assert_gt(beside, 3 * alone, "CPU %d: %.2f ms alone, %.2f ms beside three busy "
		     "processes", b, alone * 1e3, beside * 1e3);
}

/* Past its limit the check stops its threads and gives nothing, however
 * busy the machine: `run` waited up to 116 s for it at a load of 17.  */
Test(cpu_speed, the_check_gives_up_past_its_limit)
{
	struct cpu_speed s = { .n = 5 };
	cpu_set_t set;
	int a, b;

	two_cpus(&a, &b);
	CPU_ZERO(&set);
	CPU_SET(a, &set);
	CPU_SET(b, &set);
	cr_assert_eq(cpu_speed_measure(&set, 1e-6, &s), -1, "three rounds of a loop in a microsecond");
	cr_assert_eq(s.n, 0, "nothing measured is given");
	cr_assert_eq(cpu_speed_measure(&set, 0, &s), 0, "and no limit, a measure");
	cr_assert_eq(s.n, 2);
}

/* The warning names the slower CPU and the faster one to pin to, past
 * CPU_SPEED_WARN only.  */
Test(cpu_speed, the_warning_names_the_slower_cpu)
{
	struct cpu_speed s = { .n = 2, .cpu = { 0, 1 }, .seconds = { 0.040, 0.058 } };
	char buf[512] = "untouched";

	cr_assert_eq(cpu_speed_warning(&s, buf, sizeof(buf)), 1);
	cr_assert(strstr(buf, "CPU 1 ran the same loop 1.45x slower than CPU 0"), "%s", buf);
	cr_assert(strstr(buf, "--affinity 0 measures on one CPU"), "%s", buf);
	s.seconds[1] = 0.045;
	strcpy(buf, "untouched");
	cr_assert_eq(cpu_speed_warning(&s, buf, sizeof(buf)), 0, "1.125x is no warning");
	cr_assert_str_eq(buf, "untouched");
}

/* `run` records how unequal its CPUs were in the file (one CPU: nothing
 * to compare, no key).  */
Test(cpu_speed, run_records_the_spread)
{
	char *out = xasprintf("%s/r.json", dir);
	char *args[] = { "run", "-b", "nbody", "-p", "1", "--fast", "-o", out, NULL };
	json_t *suite, *spread;
	struct cmd r;
	int a, b;

	two_cpus(&a, &b);
	r = support_run(dir, "run", args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	suite = load(out);
	spread = json_object_get(json_object_get(suite, "metadata"), "cpu_speed_spread");
	cr_assert(json_is_real(spread) && json_real_value(spread) >= 1, "spread %s",
		  json_dumps(spread, JSON_ENCODE_ANY));
	json_decref(suite);
	cmd_free(&r);
	free(out);
}

#include "bench/harness/cpu_speed.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "bench/lib/clock.h"

/* About 40 ms a round on a 2 GHz CPU: long enough for a scheduler to share
 * a CPU fairly within it (its slices are a few ms).  The loop looks for a
 * stop between its chunks.  */
enum { ROUNDS = 3, CHUNKS = 16, CHUNK = 1000000 };

/* Every lane says it is ready for round r (ready), and starts it when the
 * main thread, which sleeps between its looks, says go: all CPUs then meet
 * the host at the same moment.  Each says when it has done every round
 * (done); stop ends them all early.  */
struct start {
	atomic_int ready, go, done, stop;
};

struct lane {
	int cpu, pinned;
	struct start *start;
	double seconds[ROUNDS];
};

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void *spin(void *arg)
{
	struct lane *l = arg;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(l->cpu, &one);
	l->pinned = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
	for (int r = 0; r < ROUNDS && !atomic_load(&l->start->stop); r++) {
		volatile uint64_t x = 88172645463325252u;
		uint64_t t0;

		atomic_fetch_add(&l->start->ready, 1);
		while (atomic_load(&l->start->go) <= r && !atomic_load(&l->start->stop))
			sched_yield();
		t0 = bench_clock_ns();
		for (int c = 0; c < CHUNKS && !atomic_load(&l->start->stop); c++)
			for (int i = 0; i < CHUNK; i++)
				x = x * 6364136223846793005u + 1442695040888963407u;
		l->seconds[r] = (double)(bench_clock_ns() - t0) / 1e9;
	}
	atomic_fetch_add(&l->start->done, 1);
	return NULL;
}

/* Sleep in short steps until *counter reaches want: 0, or -1 past the
 * deadline.  */
static int wait_for(atomic_int *counter, int want, uint64_t deadline)
{
	while (atomic_load(counter) < want) {
		if (bench_clock_ns() > deadline)
			return -1;
		nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);
	}
	return 0;
}

int cpu_speed_measure(const cpu_set_t *set, double limit, struct cpu_speed *s)
{
	struct lane lanes[CPU_SPEED_MAX];
	pthread_t threads[CPU_SPEED_MAX];
	struct start start = { 0 };
	uint64_t deadline = limit > 0 ? bench_clock_ns() + (uint64_t)(limit * 1e9) : UINT64_MAX;
	int n = 0, started = 0, late = 0;

	s->n = 0;
	for (int cpu = 0; cpu < CPU_SETSIZE && n < CPU_SPEED_MAX; cpu++)
		if (CPU_ISSET(cpu, set))
			lanes[n++] = (struct lane){ .cpu = cpu, .start = &start };
	while (started < n && pthread_create(&threads[started], NULL, spin, &lanes[started]) == 0)
		started++;
	for (int r = 0; r < ROUNDS && started > 0 && !late; r++) {
		late = wait_for(&start.ready, started * (r + 1), deadline) < 0;
		atomic_store(&start.go, r + 1);
	}
	if (late || wait_for(&start.done, started, deadline) < 0) {
		late = 1;
		atomic_store(&start.stop, 1);
	}
	for (int i = 0; i < started; i++) {
		pthread_join(threads[i], NULL);
		if (!lanes[i].pinned || late)
			continue;
		qsort(lanes[i].seconds, ROUNDS, sizeof(double), by_value);
		s->cpu[s->n] = lanes[i].cpu;
		s->seconds[s->n++] = lanes[i].seconds[ROUNDS / 2];
	}
	return s->n >= 2 ? 0 : -1;
}

double cpu_speed_spread(const struct cpu_speed *s, int *fastest, int *slowest)
{
	int f = 0, w = 0;

	for (int i = 1; i < s->n; i++) {
		if (s->seconds[i] < s->seconds[f])
			f = i;
		if (s->seconds[i] > s->seconds[w])
			w = i;
	}
	*fastest = f;
	*slowest = w;
	return s->n >= 2 && s->seconds[f] > 0 ? s->seconds[w] / s->seconds[f] : 1;
}

int cpu_speed_warning(const struct cpu_speed *s, char *buf, size_t size)
{
	int fast, slow;
	double spread = cpu_speed_spread(s, &fast, &slow);

	if (!(spread > CPU_SPEED_WARN))
		return 0;
	snprintf(buf, size, "CPU %d ran the same loop %.2fx slower than CPU %d just now: a "
		 "process's speed depends on where it runs (another process on that CPU, or a "
		 "host that serves this machine's CPUs unequally), and the intervals will "
		 "cover both; --affinity %d measures on one CPU", s->cpu[slow], spread,
		 s->cpu[fast], s->cpu[fast]);
	return 1;
}

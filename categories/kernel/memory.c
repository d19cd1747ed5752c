/* Kernel probes of memory management, at the sizes the workloads use (strace
 * of xml_etree_parse, 2to3, dulwich_log): CPython's allocator maps and
 * unmaps arenas of 1 MiB, glibc's malloc moves the program break by 132 KiB
 * (its 128 KiB top pad and the request) and more.  For `explain --budget`,
 * a call is priced untouched (mmap_munmap, brk_grow_shrink,
 * madvise_dontneed) and the pages it brings per page, touched and released
 * (arena_fault): a page is paid once, as a fault, whichever call maps or
 * frees it.  */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "categories/kernel/probe.h"
#include "categories/native.h"

#define ARENA (1u << 20)
#define HEAP_STEP (132u << 10)
#define PAGE 4096u

static void *map_anonymous(size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* ---- mmap_fault, arena_fault ---- */

#define MAP_BYTES (64u << 20)

/* size bytes mapped fresh, each 4 KiB page touched once (a page fault
 * each on 4 KiB-page kernels), then unmapped.  */
static int fault_in(size_t size, struct bench_error *err)
{
	volatile char *p = map_anonymous(size);
	int ok;

	if (p == MAP_FAILED)
		return probe_error(err, errno, "mmap %zu KiB", size >> 10);
	/* Transparent huge pages would fault 2 MiB at once; the advice may be
	 * ignored (a sandbox without THP), which is fine.  Below 2 MiB none
	 * applies, and the call is left out.  */
	if (size >= (2u << 20))
		madvise((void *)p, size, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < size; off += PAGE)
		p[off] = 1;
	ok = p[size - PAGE] == 1;
	if (munmap((void *)p, size) < 0)
		return probe_error(err, errno, "munmap %zu KiB", size >> 10);
	if (!ok)
		return bench_error_set(err, 0, "mmap: a touched page lost its byte");
	return 0;
}

/* fault_in(size), loops times.  */
static int fault_in_loops(size_t size, uint64_t loops, struct bench_error *err)
{
	for (uint64_t i = 0; i < loops; i++)
		if (fault_in(size, err) < 0)
			return -1;
	return 0;
}

/* A large region: the kernel's fault path at its cheapest.  */
static int mmap_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		    struct bench_error *err)
{
	return fault_in_loops(MAP_BYTES, loops, err);
}

const struct bench_native_ops kernel_mmap_fault_ops = {
	.run = mmap_run,
	.inner_loops = MAP_BYTES / PAGE,
};

/* A fresh arena: what one page of new heap costs, its fault and its
 * release, per page.  The arena's mmap and munmap (2 calls per 256 pages)
 * are paid in it too; the budget takes them off (budget_prices).  */
static int arena_fault_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
			   struct bench_error *err)
{
	return fault_in_loops(ARENA, loops, err);
}

const struct bench_native_ops kernel_arena_fault_ops = {
	.run = arena_fault_run,
	.inner_loops = ARENA / PAGE,
};

/* ---- mmap_munmap, brk_grow_shrink, madvise_dontneed ---- */

/* An arena mapped, never touched, and unmapped: what CPython's allocator
 * pays for a new arena and its return, without the faults.  Two calls a
 * loop.  */
static int mmap_munmap_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
			   struct bench_error *err)
{
	for (uint64_t i = 0; i < loops; i++) {
		void *p = map_anonymous(ARENA);

		if (p == MAP_FAILED)
			return probe_error(err, errno, "mmap %u KiB", ARENA >> 10);
		if (munmap(p, ARENA) < 0)
			return probe_error(err, errno, "munmap %u KiB", ARENA >> 10);
	}
	return 0;
}

const struct bench_native_ops kernel_mmap_munmap_ops = {
	.run = mmap_munmap_run,
	.inner_loops = 2,
};

/* The program break moved up by malloc's step and back, through the raw
 * call: the break glibc's malloc knows is the same after each loop.  Two
 * calls a loop.  */
static int brk_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		   struct bench_error *err)
{
	long start = syscall(SYS_brk, 0);

	for (uint64_t i = 0; i < loops; i++) {
		if (syscall(SYS_brk, start + HEAP_STEP) != start + HEAP_STEP)
			return probe_error(err, ENOMEM, "brk: grow by %u KiB", HEAP_STEP >> 10);
		if (syscall(SYS_brk, start) != start)
			return bench_error_set(err, 0, "brk: shrink back to the start");
	}
	return 0;
}

const struct bench_native_ops kernel_brk_grow_shrink_ops = {
	.run = brk_run,
	.inner_loops = 2,
};

/* An arena kept mapped and given back with MADV_DONTNEED, untouched: the
 * call glibc's free makes to return a large free block in place.  */
static int madvise_setup(void **state, struct bench_error *err)
{
	void *p = map_anonymous(ARENA);

	if (p == MAP_FAILED)
		return probe_error(err, errno, "mmap %u KiB", ARENA >> 10);
	*state = p;
	return 0;
}

static int madvise_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		       struct bench_error *err)
{
	for (uint64_t i = 0; i < loops; i++)
		if (madvise(state, ARENA, MADV_DONTNEED) < 0)
			return probe_error(err, errno, "madvise %u KiB", ARENA >> 10);
	return 0;
}

static void madvise_teardown(void *state)
{
	if (state)
		munmap(state, ARENA);
}

const struct bench_native_ops kernel_madvise_dontneed_ops = {
	.setup = madvise_setup,
	.run = madvise_run,
	.teardown = madvise_teardown,
};

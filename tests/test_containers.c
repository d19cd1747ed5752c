/* The container layer: OCI config, sizes, merging rounds, and real matrices
 * under runc, crun and runsc through both engines ($SANDBENCH, as root).  */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/harness/metadata.h"
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/result.h"
#include "bench/lib/safefile.h"
#include "bench/lib/util.h"
#include "containers/driver.h"
#include "containers/image.h"
#include "containers/matrix.h"
#include "containers/oci.h"
#include "tests/support.h"

static char dir[] = "/tmp/sandbench-test-ctr-XXXXXX";

static void setup(void)
{
	support_make_dir(dir);
}

static void teardown(void)
{
	support_remove_dir(dir);
}

TestSuite(containers, .init = setup, .fini = teardown, .timeout = 900);

Test(containers, parses_sizes)
{
	cr_assert_eq(ctr_parse_size("4G"), 4LL << 30);
	cr_assert_eq(ctr_parse_size("512M"), 512LL << 20);
	cr_assert_eq(ctr_parse_size("1.5g"), 3LL << 29);
	cr_assert_eq(ctr_parse_size("1048576"), 1048576);
	cr_assert_eq(ctr_parse_size("4GB"), 4LL << 30);
	cr_assert_eq(ctr_parse_size("4X"), -1);
	cr_assert_eq(ctr_parse_size(""), -1);
	cr_assert_eq(ctr_parse_size("-1G"), -1);
}

Test(containers, oci_config_is_least_privilege)
{
	const char *args[] = { "/usr/bin/sandbench", "env", NULL };
	json_t *c = ctr_oci_config(&(struct ctr_oci_spec){ .rootfs = "/img/rootfs", .args = args,
		.results = "/host/results", .cpus = "0-1", .memory = 4LL << 30, .uid = 65534,
		.gid = 65534 });
	json_t *mounts = json_object_get(c, "mounts"), *m, *caps;
	const char *key;
	json_t *v;
	size_t i;
	int writable_binds = 0;

	cr_assert(json_is_true(json_object_get(json_object_get(c, "root"), "readonly")));
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(json_object_get(c, "process"),
							"user"), "uid")), 65534);
	cr_assert(json_is_true(json_object_get(json_object_get(c, "process"), "noNewPrivileges")));
	caps = json_object_get(json_object_get(c, "process"), "capabilities");
	json_object_foreach(caps, key, v)
		cr_assert_eq(json_array_size(v), 0, "capability set `%s` must be empty", key);
	json_array_foreach(mounts, i, m) {
		if (strcmp(json_string_value(json_object_get(m, "type")), "bind") == 0) {
			writable_binds++;
			cr_assert_str_eq(json_string_value(json_object_get(m, "destination")), "/results");
			cr_assert_str_eq(json_string_value(json_object_get(m, "source")), "/host/results");
		}
	}
	cr_assert_eq(writable_binds, 1, "the results folder is the only host mount");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(
		json_object_get(c, "linux"), "resources"), "cpu"), "cpus")), "0-1");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(json_object_get(
		json_object_get(c, "linux"), "resources"), "memory"), "limit")), 4LL << 30);
	json_decref(c);
}

/* A round file: one benchmark per name with `runs` runs of 2 values.  */
static void write_round(const char *runtime, unsigned round, const char *const *names, int runs)
{
	struct bench_error err = { 0 };
	char *raw = xasprintf("%s/raw", dir), *path = xasprintf("%s/raw/%s-r%u.json", dir, runtime, round);
	json_t *suite = result_suite_new(json_pack("{s:s}", "hostname", "h"));

	mkdir(raw, 0755);
	for (size_t i = 0; names[i]; i++) {
		json_t *b = result_benchmark_new(names[i], "math", "python", 8, 1);
		for (int r = 0; r < runs; r++)
			json_array_append_new(json_object_get(b, "runs"),
					      json_pack("{s:{s:s}, s:[f,f]}", "metadata", "date", "d",
							"values", 0.1, 0.2));
		json_array_append_new(json_object_get(suite, "benchmarks"), b);
	}
	cr_assert_eq(result_write(path, suite, &err), 0, "%s", err.msg);
	json_decref(suite);
	free(raw);
	free(path);
}

static size_t values_of(const char *runtime, const char *name)
{
	char *path = xasprintf("%s/%s.json", dir, runtime);
	json_t *suite = NULL, *b;
	size_t n = 0;

	cr_assert_eq(result_read(path, &suite, NULL), 0, "%s unreadable", path);
	b = result_find_benchmark(suite, name);
	if (b) {
		double *v;
		result_benchmark_values(b, &v, &n, NULL, NULL);
		free(v);
	}
	json_decref(suite);
	free(path);
	return n;
}

Test(containers, merge_keeps_equal_counts)
{
	const char *both[] = { "nbody", "float", NULL }, *one[] = { "nbody", NULL };
	const char *runtimes[] = { "runc", "runsc", NULL };
	struct bench_error err = { 0 };
	json_t *extra = json_pack("{s:{s:s}}", "runsc", "runtime", "runsc");
	char *path;
	json_t *suite = NULL;

	/* runsc lost `float` in round 2, and round 3 of runc only.  */
	write_round("runc", 1, both, 2);
	write_round("runc", 2, both, 2);
	write_round("runc", 3, both, 2);
	write_round("runsc", 1, both, 2);
	write_round("runsc", 2, one, 2);
	cr_assert_eq(ctr_matrix_merge(dir, runtimes, 3, extra, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(values_of("runc", "nbody"), 8);
	cr_assert_eq(values_of("runsc", "nbody"), 8);
	cr_assert_eq(values_of("runc", "float"), 4);
	cr_assert_eq(values_of("runsc", "float"), 4);
	path = xasprintf("%s/runsc.json", dir);
	cr_assert_eq(result_read(path, &suite, NULL), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(suite, "metadata"),
							   "runtime")), "runsc");
	json_decref(suite);
	json_decref(extra);
	free(path);
}

Test(containers, kata_says_why_it_cannot_run)
{
	struct bench_error err = { 0 };
	const struct ctr_driver *kata = ctr_driver_find("kata");

	cr_assert_not_null(kata);
	if (ctr_driver_available(kata, &err) == 0)
		cr_skip_test("kata-runtime and /dev/kvm are both here: the matrix test covers it");
	cr_assert(strstr(err.msg, "kata"), "%s", err.msg);
	cr_assert(strstr(err.msg, "/dev/kvm") || strstr(err.msg, "not installed"), "%s", err.msg);
}

/* ---- real matrices ---- */

static int run_sandbench(char *const args[], char **out_text)
{
	struct cmd c = support_run(dir, "out", args);
	int status = c.status;

	*out_text = xasprintf("%s%s", c.out, c.err);
	cmd_free(&c);
	return status;
}

static void check_matrix(const char *engine)
{
	const char *runtimes[] = { "runc", "crun", "runsc" };
	const char *names[] = { "nbody", "pathlib", "asyncio_tcp" };
	char *out_dir = xasprintf("%s/%s", dir, engine), *text = NULL;
	int status;

	cr_assert_not_null(getenv("SANDBENCH"), "run through `make test`");
	if (getuid() != 0)
		cr_skip_test("container runtimes need root here");
	for (size_t i = 0; i < 3; i++)
		if (!have(runtimes[i]))
			cr_skip_test("%s is not installed (apt-get install %s)", runtimes[i], runtimes[i]);
	if (strcmp(engine, "podman") == 0 && !have("podman"))
		cr_skip_test("podman is not installed (apt-get install podman)");

	status = run_sandbench((char *[]){ "matrix", "--design", "processes", "--runtimes", "native,runc,crun,runsc",
		"--engine", (char *)engine, "--smoke", "-b", "nbody,pathlib,asyncio_tcp",
		"--rounds", "2", "-o", out_dir, NULL }, &text);
	cr_assert_eq(status, 0, "matrix failed (%d):\n%s", status, text);
	for (size_t i = 0; i < 3; i++) {
		char *path = xasprintf("%s/%s.json", out_dir, runtimes[i]);
		json_t *suite = NULL, *md;
		struct bench_error err = { 0 };

		cr_assert_eq(result_read(path, &suite, &err), 0, "%s", err.msg);
		md = json_object_get(suite, "metadata");
		cr_assert_str_eq(json_string_value(json_object_get(md, "runtime")), runtimes[i]);
		cr_assert_str_eq(json_string_value(json_object_get(md, "engine")), engine);
		cr_assert_not_null(json_string_value(json_object_get(md, "image_id")));
		if (strcmp(runtimes[i], "runsc") == 0)
			cr_assert_str_eq(json_string_value(json_object_get(md, "runtime_detected")), "gvisor",
					 "runsc must show gVisor from inside");
		else
			cr_assert_str_neq(json_string_value(json_object_get(md, "runtime_detected")), "gvisor");
		for (size_t k = 0; k < 3; k++) {
			json_t *b = result_find_benchmark(suite, names[k]);
			double *v;
			size_t n;
			cr_assert_not_null(b, "%s: `%s` missing", path, names[k]);
			result_benchmark_values(b, &v, &n, NULL, NULL);
			cr_assert_eq(n, 2, "%s: `%s`: one value per round, 2 rounds", path, names[k]);
			free(v);
		}
		json_decref(suite);
		free(path);
	}
	free(text);
	free(out_dir);
}

Test(containers, matrix_oci_engine) { check_matrix("oci"); }
Test(containers, matrix_podman_engine) { check_matrix("podman"); }

/* The ID of the image podman names localhost/sandbench:VERSION, or "".  */
static char *podman_image_id(void)
{
	char *ref = xasprintf("localhost/sandbench:%s", SANDBENCH_VERSION), *out = NULL, *err = NULL;
	int status;

	cr_assert_eq(child_capture((char *[]){ "podman", "image", "inspect", "--format", "{{.Id}}",
					       ref, NULL }, &out, &err, &status, NULL), 0);
	out[strcspn(out, "\n")] = '\0';
	free(err);
	free(ref);
	return out;
}

/* Each import of a new image replaces the one sandbench had imported
 * before: podman's storage keeps one, not one per build (~300 MB each).
 * The default image folder stays locked meanwhile, so that no matrix of
 * another test runs a container from the image this removes.  */
Test(containers, a_podman_import_removes_the_image_it_replaces)
{
	char *lock = xasprintf("%s.lock", ctr_image_default_dir()), *image_dir = path_in("img");
	char *first = NULL, *second, *out = NULL, *err = NULL;
	struct bench_error e = { 0 };
	int fd, status;
	struct cmd c;

	if (getuid() != 0 || !have("podman"))
		cr_skip_test("needs root and podman (apt-get install podman)");
	fd = safefile_lock(lock, LOCK_EX, "a matrix", &e);
	cr_assert_geq(fd, 0, "%s", e.msg);
	for (int i = 0; i < 2; i++) {
		c = support_run(dir, "build", (char *[]){ "image", "build", "-o", image_dir, NULL });
		cr_assert_eq(c.status, 0, "image build: %s", c.err);
		cmd_free(&c);
		if (i == 0)
			first = podman_image_id();
	}
	second = podman_image_id();
	cr_assert(*first && *second && strcmp(first, second) != 0, "`%s`, then `%s`", first, second);
	cr_assert_eq(child_capture((char *[]){ "podman", "image", "exists", first, NULL }, &out, &err,
				   &status, NULL), 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1,
		  "the image imported first (%s) is still in podman's storage", first);
	close(fd);
	free(out);
	free(err);
	free(first);
	free(second);
	free(image_dir);
	free(lock);
}

static int listed(const char *const *list, const char *name)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* One list of the image's Python packages: bench/deps.sh --image-packages.
 * The offline image's must be the same, both ways; the Containerfile takes
 * it from deps.sh and names none itself.  */
Test(containers, package_lists_agree)
{
	const char *root = getenv("SANDBENCH_ROOT");
	char *deps_path, *cf_path, *out = NULL, *cf = NULL, *save = NULL;
	const char *deps[64];
	size_t n = 0;
	int status;
	struct bench_error err = { 0 };

	cr_assert_not_null(root, "run through `make test`");
	deps_path = xasprintf("%s/bench/deps.sh", root);
	cf_path = xasprintf("%s/containers/Containerfile", root);
	cr_assert_eq(child_capture((char *[]){ "sh", deps_path, "--image-packages", NULL }, &out,
				   NULL, &status, &err), 0, "%s", err.msg);
	cr_assert_eq(status, 0);
	for (char *p = strtok_r(out, "\n", &save); p && n < 63; p = strtok_r(NULL, "\n", &save))
		deps[n++] = p;
	deps[n] = NULL;
	cr_assert_gt(n, 0);
	for (size_t i = 0; deps[i]; i++)
		cr_assert(listed(ctr_image_packages, deps[i]), "ctr_image_packages[] lacks %s", deps[i]);
	for (size_t i = 0; ctr_image_packages[i]; i++)
		cr_assert(listed(deps, ctr_image_packages[i]), "bench/deps.sh --image-packages lacks %s",
			  ctr_image_packages[i]);
	cr_assert_eq(util_read_file(cf_path, LIMIT_SMALL_FILE, &cf, NULL, NULL), 0);
	cr_assert(strstr(cf, "deps.sh --image-packages"), "Containerfile: not from bench/deps.sh");
	cr_assert_null(strstr(cf, "python3-"), "Containerfile: a second list: %s", strstr(cf, "python3-"));
	free(out);
	free(cf);
	free(deps_path);
	free(cf_path);
}

/* Each runtime calibrates in its first round and keeps its loops: under
 * gVisor a getpid costs 100x more, so it needs 100x fewer loops.  */
Test(containers, matrix_calibrates_per_runtime)
{
	char *out_dir = xasprintf("%s/calibrated", dir), *text = NULL;
	const char *rts[] = { "native", "runsc" };
	int status;

	if (getuid() != 0 || !have("runsc"))
		cr_skip_test("runsc needs root and the runsc package");
	status = run_sandbench((char *[]){ "matrix", "--design", "processes", "--runtimes", "native,runsc", "--fast",
		"-b", "syscall_getpid", "--rounds", "2", "-o", out_dir, NULL }, &text);
	cr_assert_eq(status, 0, "matrix failed (%d):\n%s", status, text);
	for (size_t i = 0; i < 2; i++) {
		char *path = xasprintf("%s/%s.json", out_dir, rts[i]);
		json_t *suite = NULL, *b;
		double *v;
		size_t n;

		cr_assert_eq(result_read(path, &suite, NULL), 0, "%s", path);
		json_t *r;
		size_t k, calibrated = 0;

		b = result_find_benchmark(suite, "syscall_getpid");
		result_benchmark_values(b, &v, &n, NULL, NULL);
		cr_assert_eq(n, 12, "%s: 2 rounds of 3 processes x 2 values: %zu", rts[i], n);
		/* Its own first process calibrated it (a getpid under gVisor costs
		 * 50-100x more), and the second round kept those loops: no timing
		 * is compared, which a busy machine can upset.  */
		json_array_foreach(json_object_get(b, "runs"), k, r) {
			json_t *cl = json_object_get(json_object_get(r, "metadata"), "calibrate_loops");
			if (!cl)
				continue;
			calibrated++;
			cr_assert_eq((uint64_t)json_integer_value(cl), result_benchmark_loops(b),
				     "%s: calibrated %lld loops, measured with %llu", rts[i],
				     (long long)json_integer_value(cl),
				     (unsigned long long)result_benchmark_loops(b));
		}
		cr_assert_eq(calibrated, 1, "%s: %zu calibrations", rts[i], calibrated);
		free(v);
		json_decref(suite);
		free(path);
	}
	free(text);
	free(out_dir);
}

/* The runtimes' worker processes alternate: sorted by start time, each
 * successive pair of a round holds one process of each runtime.  */
Test(containers, matrix_interleaves_processes)
{
	char *out_dir = xasprintf("%s/interleaved", dir), *text = NULL;
	const char *rts[] = { "native", "runc" };
	struct { char date[64]; int rt; } starts[64];
	size_t n = 0;
	int status;

	if (getuid() != 0 || !have("runc"))
		cr_skip_test("runc needs root and the runc package");
	status = run_sandbench((char *[]){ "matrix", "--design", "processes", "--runtimes", "native,runc", "--fast",
		"-b", "unpack_sequence", "--rounds", "1", "-o", out_dir, NULL }, &text);
	cr_assert_eq(status, 0, "matrix failed (%d):\n%s", status, text);
	for (int i = 0; i < 2; i++) {
		char *path = xasprintf("%s/%s.json", out_dir, rts[i]);
		json_t *suite = NULL, *run;
		size_t k;

		cr_assert_eq(result_read(path, &suite, NULL), 0, "%s", path);
		json_array_foreach(json_object_get(result_find_benchmark(suite, "unpack_sequence"), "runs"),
				   k, run) {
			const char *date = json_string_value(json_object_get(json_object_get(run, "metadata"),
									     "date"));
			cr_assert_not_null(date);
			cr_assert_lt(n, 64);
			snprintf(starts[n].date, sizeof(starts[n].date), "%s", date);
			starts[n++].rt = i;
		}
		json_decref(suite);
		free(path);
	}
	cr_assert_eq(n, 12, "6 processes per runtime: %zu", n);
	/* Sort by date (ISO text sorts as time).  */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(starts[j - 1].date, starts[j].date) > 0; j--) {
			__typeof__(starts[0]) t = starts[j];
			starts[j] = starts[j - 1];
			starts[j - 1] = t;
		}
	for (size_t i = 0; i < n; i += 2)
		cr_assert_neq(starts[i].rt, starts[i + 1].rt, "processes %zu and %zu both ran under %s",
			      i, i + 1, rts[starts[i].rt]);
	free(text);
	free(out_dir);
}

/* A runtime listed twice is an A/A test: two files, told apart in the
 * report, and no container needed for native.  */
Test(containers, matrix_lists_a_runtime_twice)
{
	char *out_dir = xasprintf("%s/aa", dir), *text = NULL, *report = NULL, *path;
	int status;

	status = run_sandbench((char *[]){ "matrix", "--design", "processes", "--runtimes", "native,native", "--smoke",
		"-b", "nbody", "--rounds", "1", "-o", out_dir, NULL }, &text);
	cr_assert_eq(status, 0, "matrix failed (%d):\n%s", status, text);
	for (int i = 0; i < 2; i++) {
		json_t *suite = NULL;
		path = xasprintf("%s/%s.json", out_dir, i ? "native-2" : "native");
		cr_assert_eq(result_read(path, &suite, NULL), 0, "%s", path);
		cr_assert_not_null(result_find_benchmark(suite, "nbody"), "%s", path);
		json_decref(suite);
		free(path);
	}
	path = xasprintf("%s/report.md", out_dir);
	cr_assert_eq(util_read_file(path, 1 << 20, &report, NULL, NULL), 0, "%s", path);
	cr_assert(strstr(report, "native-2"), "the report names the second listing:\n%s", report);
	free(report);
	free(path);
	free(text);
	free(out_dir);
}

/* The matrix's report names its files as the user gave the folder
 * (relative here), not by this machine's absolute path, so that it reads
 * the same wherever it is copied.  */
Test(containers, matrix_report_names_files_as_given)
{
	char *text = NULL, *report = NULL, *json = NULL;
	int status;

	cr_assert_eq(chdir(dir), 0);
	status = run_sandbench((char *[]){ "matrix", "--design", "processes", "--runtimes",
		"native,native", "--smoke", "-b", "nbody", "--rounds", "1", "-o", "given", NULL }, &text);
	cr_assert_eq(status, 0, "matrix failed (%d):\n%s", status, text);
	cr_assert_eq(util_read_file("given/report.md", 1 << 20, &report, NULL, NULL), 0);
	cr_assert_eq(util_read_file("given/report.json", 1 << 22, &json, NULL, NULL), 0);
	cr_assert(strstr(report, "| given/native.json |"), "%s", report);
	cr_assert(strstr(json, "\"given/native-2.json\""), "%s", json);
	cr_assert(!strstr(report, dir) && !strstr(json, dir), "an absolute path:\n%s", report);
	free(json);
	free(report);
	free(text);
}

/* A test's image holds $SANDBENCH, and the test binary opening it must not
 * judge it stale and rebuild it around itself: an image older than this
 * binary (here by its clock) is opened as it is, its id and binary kept.  */
Test(containers, a_tests_image_is_opened_as_built)
{
	char *image_dir = xasprintf("%s/image", dir);
	char *etc = xasprintf("%s/rootfs/etc", image_dir);
	char *bin_dir = xasprintf("%s/rootfs/usr/bin", image_dir);
	char *meta = xasprintf("%s/sandbench-image.json", etc);
	char *bin = xasprintf("%s/sandbench", bin_dir);
	char *marker = xasprintf("%s/.sandbench-image", image_dir), *text;
	const char *id_json = "{\"image_id\": \"sandbench-of-the-test\"}";
	struct timespec old[2] = { { .tv_sec = 1 }, { .tv_sec = 1 } };
	struct bench_error err = { 0 };
	struct ctr_image img = { 0 };

	cr_assert_eq(mkdir(image_dir, 0755), 0);
	cr_assert_eq(util_mkdir_p(etc, &err), 0, "%s", err.msg);
	cr_assert_eq(util_mkdir_p(bin_dir, &err), 0, "%s", err.msg);
	cr_assert_eq(util_write_file_atomic(marker, "sandbench image folder\n", 23, &err), 0);
	cr_assert_eq(util_write_file_atomic(bin, "$SANDBENCH\n", 11, &err), 0);
	cr_assert_eq(util_write_file_atomic(meta, id_json, strlen(id_json), &err), 0);
	cr_assert_eq(utimensat(AT_FDCWD, meta, old, 0), 0);
	cr_assert_eq(ctr_image_open(image_dir, &img, &err), 0, "%s", err.msg);
	cr_assert_str_eq(img.id, "sandbench-of-the-test");
	text = slurp(bin);
	cr_assert_str_eq(text, "$SANDBENCH\n", "the image was rebuilt around the test binary");
	ctr_image_release(&img);
	free(text);
	free(marker);
	free(bin);
	free(meta);
	free(bin_dir);
	free(etc);
	free(image_dir);
}

/* The bytecode of rootfs/source is there and current: its header holds
 * the source's mtime and size, or Python compiles the source again at every
 * import (and fails to write the .pyc on the read-only root).  */
static void assert_bytecode_current(const char *rootfs, const char *source)
{
	char *py = xasprintf("%s%s", rootfs, source), *slash = strrchr(py, '/');
	char *pyc = xasprintf("%.*s/__pycache__/%.*s.cpython-311.pyc", (int)(slash - py), py,
			      (int)strlen(slash + 1) - 3, slash + 1);
	unsigned char head[16];
	struct stat st;
	FILE *f = fopen(pyc, "rb");

	cr_assert_not_null(f, "no %s in the image", pyc);
	cr_assert_eq(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	cr_assert_eq(stat(py, &st), 0, "%s", py);
	/* Little-endian: flags (0: checked by mtime), mtime, size.  */
	cr_assert_eq(head[4] | head[5] << 8 | head[6] << 16 | (unsigned)head[7] << 24, 0u);
	cr_assert_eq(head[8] | head[9] << 8 | head[10] << 16 | (uint32_t)head[11] << 24,
		     (uint32_t)st.st_mtime, "%s: the bytecode is of another mtime", source);
	cr_assert_eq(head[12] | head[13] << 8 | head[14] << 16 | (uint32_t)head[15] << 24,
		     (uint32_t)st.st_size, "%s: the bytecode is of another size", source);
	free(pyc);
	free(py);
}

/* The image holds no libpython3.11.so beside a static binary, and the
 * extension modules of lib-dynload import in it under runc (timeit's
 * set-up asserts it; the container's own folder goes with it, so its exit
 * status says).  The packages' modules load from current bytecode, as on
 * the host: the standard library's, lib2to3's (a package of its own, that
 * 2to3's child imports at every iteration) and the dist-packages'.  */
Test(containers, extension_modules_import_in_the_image)
{
	char *image_dir = xasprintf("%s/image", dir), *results = xasprintf("%s/dynload", dir);
	char *text = NULL, *lib;
	const char *const args[] = { "timeit", "-p", "1", "-n", "1", "-w", "0", "-l", "1", "-s",
		"import _decimal, _ctypes, pyexpat; "
		"assert '/lib-dynload/' in _decimal.__file__, _decimal.__file__",
		"-o", "/results/dynload.json", "_decimal.Decimal(1) / 3", NULL };
	struct bench_error err = { 0 };
	struct ctr_image img = { 0 };
	json_t *md;
	const char *link;
	int status;

	if (getuid() != 0 || !have("runc"))
		cr_skip_test("runc needs root and the runc package");
	/* An image of $SANDBENCH, not of this test binary.  */
	status = run_sandbench((char *[]){ "image", "build", "--no-podman", "-o", image_dir, NULL },
			       &text);
	cr_assert_eq(status, 0, "image build (%d):\n%s", status, text);
	cr_assert_eq(ctr_image_open(image_dir, &img, &err), 0, "%s", err.msg);
	assert_bytecode_current(img.rootfs, "/usr/lib/python3.11/os.py");
	assert_bytecode_current(img.rootfs, "/usr/lib/python3.11/lib2to3/pytree.py");
	assert_bytecode_current(img.rootfs, "/usr/lib/python3/dist-packages/sympy/__init__.py");
	cr_assert_eq(mkdir(results, 0777), 0);
	cr_assert_eq(ctr_run(&(struct ctr_run){ .driver = ctr_driver_find("runc"),
			.engine = CTR_ENGINE_OCI, .image = &img, .args = args, .results = results,
			.timeout = 120, .log_fd = 2, .label = "[dynload]" }, &status, &err), 0,
		     "%s\n%s", err.msg, err.detail ? err.detail : "");
	cr_assert_eq(status, 0, "timeit importing _decimal, _ctypes, pyexpat in the image: "
		     "exit status %d", status);
	free(text);
	cr_assert_eq(run_sandbench((char *[]){ "env", NULL }, &text), 0);
	md = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL);
	cr_assert_not_null(md, "env printed no JSON:\n%s", text);
	link = json_string_value(json_object_get(md, "python_link"));
	cr_assert_not_null(link);
	lib = xasprintf("%s/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", img.rootfs);
	cr_assert_eq(access(lib, F_OK) == 0, strcmp(link, "shared") == 0,
		     "libpython3.11.so is in the image exactly when the binary is linked with it (%s)",
		     link);
	free(lib);
	json_decref(md);
	ctr_image_release(&img);
	free(text);
	free(results);
	free(image_dir);
}

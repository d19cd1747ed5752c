#include "containers/image.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/harness/metadata.h"
#include "bench/lib/child.h"
#include "bench/lib/error.h"
#include "bench/lib/limits.h"
#include "bench/lib/safefile.h"
#include "bench/lib/util.h"
#include "containers/oci.h"

const char *const ctr_image_packages[] = {
	"python3-sympy", "python3-django", "python3-mako", "python3-genshi",
	"python3-chameleon", "python3-sqlalchemy", "python3-tornado", "python3-dulwich",
	"python3-pyaes", "python3-lib2to3", NULL,
};

/* A growable set of strings.  */
struct strset {
	char **v;
	size_t n, cap;
};

static int strset_add(struct strset *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = xstrdup(str);
	return 1;
}

static void strset_release(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

const char *ctr_image_default_dir(void)
{
	static char dir[512];
	const char *env = getenv("SANDBENCH_IMAGE_DIR");

	if (env && *env)
		return env;
	snprintf(dir, sizeof(dir), "/var/tmp/sandbench-image-%s", SANDBENCH_VERSION);
	return dir;
}

/* Run a command; -1 with its stderr in the message unless it exits 0.  */
static int run(char *const argv[], char **out, struct bench_error *err)
{
	cleanup_free char *o = NULL;
	cleanup_free char *e = NULL;
	int status;

	if (child_capture(argv, &o, &e, &status, err) < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char what[64];
		child_describe_status(status, what, sizeof(what));
		e[strcspn(e, "\n")] = '\0';
		return bench_error_set(err, 0, "`%s %s` failed (%s): %s", argv[0],
				       argv[1] ? argv[1] : "", what, e);
	}
	if (out) {
		*out = o;
		o = NULL;
	}
	return 0;
}

/* Copy files into rootfs at their own paths, in batches of one cp each,
 * with their times: a module's .pyc is valid only for its source's mtime.
 * (Not -a: coreutils 9.1 fails preserving the parents of --parents.)  */
static int copy_parents(const char *rootfs, const char *mode, struct strset *files,
			struct bench_error *err)
{
	enum { BATCH = 400 };
	char *argv[BATCH + 8];

	for (size_t i = 0; i < files->n; i += BATCH) {
		int n = 0;
		argv[n++] = "cp";
		argv[n++] = (char *)mode;
		argv[n++] = "--preserve=timestamps";
		argv[n++] = "--parents";
		argv[n++] = "-t";
		argv[n++] = (char *)rootfs;
		for (size_t j = i; j < files->n && j < i + BATCH; j++)
			argv[n++] = files->v[j];
		argv[n] = NULL;
		if (run(argv, NULL, err) < 0)
			return -1;
	}
	return 0;
}

static int installed(const char *pkg)
{
	char *argv[] = { "dpkg-query", "-W", "-f=${Status}", (char *)pkg, NULL };
	cleanup_free char *status = NULL;

	return run(argv, &status, NULL) == 0 && strstr(status, " installed") != NULL;
}

/* The packages and, recursively, their python3-* dependencies (of a choice
 * "a | b", the first one installed).  */
static int package_closure(struct strset *pkgs, struct bench_error *err)
{
	for (size_t i = 0; ctr_image_packages[i]; i++)
		strset_add(pkgs, ctr_image_packages[i]);
	for (size_t i = 0; i < pkgs->n; i++) {
		char *argv[] = { "dpkg-query", "-W", "-f=${Depends},${Pre-Depends}", pkgs->v[i], NULL };
		cleanup_free char *deps = NULL;
		char *save = NULL;

		if (run(argv, &deps, err) < 0)
			return bench_error_prefix(err, "package `%s` (is it installed?)", pkgs->v[i]);
		for (char *dep = strtok_r(deps, ",", &save); dep; dep = strtok_r(NULL, ",", &save)) {
			char *save_alt = NULL;
			for (char *alt = strtok_r(dep, "|", &save_alt); alt;
			     alt = strtok_r(NULL, "|", &save_alt)) {
				char name[128];
				if (sscanf(alt, " %127[^ :(]", name) != 1 || !installed(name))
					continue;
				if (strncmp(name, "python3-", 8) == 0)
					strset_add(pkgs, name);
				break;
			}
		}
	}
	return 0;
}

/* The bytecode of module path, when the host has it: Debian compiles it
 * at install time (py3compile), so it is in no package's file list, and
 * without it the container's Python compiles the source at every import.  */
static void add_bytecode(struct strset *files, const char *path)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *pyc = NULL;
	struct stat st;

	if (!util_ends_with(path, ".py"))
		return;
	pyc = xasprintf("%.*s/__pycache__/%.*s.cpython-311.pyc", (int)(slash - path), path,
			(int)strlen(slash + 1) - 3, slash + 1);
	if (lstat(pyc, &st) == 0 && S_ISREG(st.st_mode))
		strset_add(files, pyc);
}

/* The files of the packages under Python's folders, with their bytecode.  */
static int package_files(struct strset *pkgs, struct strset *files, struct bench_error *err)
{
	for (size_t i = 0; i < pkgs->n; i++) {
		char *argv[] = { "dpkg", "-L", pkgs->v[i], NULL };
		cleanup_free char *list = NULL;
		char *save = NULL;

		if (run(argv, &list, err) < 0)
			return -1;
		for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			struct stat st;
			if (strncmp(line, "/usr/lib/python3/", 17) != 0 &&
			    strncmp(line, "/usr/lib/python3.11/", 20) != 0)
				continue;
			if (lstat(line, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
				strset_add(files, line);
				add_bytecode(files, line);
			}
		}
	}
	return 0;
}

static struct strset *elf_found;
static size_t rootfs_len;

static int collect_so(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && (util_ends_with(path, ".so") || strstr(path, ".so.")))
		strset_add(elf_found, path + rootfs_len);
	return 0;
}

/* The shared libraries that the binary and every extension module need.
 * A binary linked with libpython3.11.a (the Makefile's default) does not
 * need libpython3.11.so, nor do Debian's extension modules, which resolve
 * Python's symbols against the executable: the closure leaves it out.  */
static int library_closure(const char *rootfs, struct strset *libs, struct bench_error *err)
{
	struct strset elves = { 0 };
	const char *trees[] = { "/usr/lib/python3.11/lib-dynload", "/usr/lib/python3/dist-packages" };
	int rc = -1;

	strset_add(&elves, util_self_exe());
	elf_found = &elves;
	rootfs_len = strlen(rootfs);
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *tree = xasprintf("%s%s", rootfs, trees[i]);
		nftw(tree, collect_so, 32, FTW_PHYS);
	}
	for (size_t i = 0; i < elves.n; i++) {
		char *argv[] = { "ldd", elves.v[i], NULL };
		cleanup_free char *out = NULL;
		cleanup_free char *e = NULL;
		char *save = NULL;
		int status;

		if (child_capture(argv, &out, &e, &status, err) < 0)
			goto out;
		for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *arrow = strstr(line, "=> "), path[1024];
			const char *p = arrow ? arrow + 3 : line + strspn(line, " \t");
			if (*p == '/' && sscanf(p, "%1023s", path) == 1)
				strset_add(libs, path);
		}
	}
	rc = 0;
out:
	strset_release(&elves);
	return rc;
}

static int write_text(const char *rootfs, const char *path, const char *text,
		      struct bench_error *err)
{
	cleanup_free char *full = xasprintf("%s%s", rootfs, path);
	return util_write_file_atomic(full, text, strlen(text), err);
}

static int make_skeleton(const char *rootfs, struct bench_error *err)
{
	static const char *const dirs[] = { "/usr", "/usr/bin", "/usr/sbin", "/usr/lib",
		"/usr/lib64", "/usr/share", "/etc", "/tmp", "/proc", "/dev", "/sys", "/results" };
	static const char *const links[][2] = { { "bin", "usr/bin" }, { "sbin", "usr/sbin" },
		{ "lib", "usr/lib" }, { "lib64", "usr/lib64" } };

	if (mkdir(rootfs, 0755) < 0)
		return bench_error_set(err, errno, "create `%s`", rootfs);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		cleanup_free char *d = xasprintf("%s%s", rootfs, dirs[i]);
		if (mkdir(d, strcmp(dirs[i], "/tmp") == 0 ? 01777 : 0755) < 0)
			return bench_error_set(err, errno, "create `%s`", d);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		cleanup_free char *l = xasprintf("%s/%s", rootfs, links[i][0]);
		if (symlink(links[i][1], l) < 0)
			return bench_error_set(err, errno, "create `%s`", l);
	}
	cleanup_free char *passwd = xasprintf("root:x:0:0:root:/root:/bin/sh\n"
					      "nobody:x:%d:%d:nobody:/nonexistent:/usr/sbin/nologin\n",
					      LIMIT_CONTAINER_UID, LIMIT_CONTAINER_UID);
	cleanup_free char *group = xasprintf("root:x:0:\nnogroup:x:%d:\n", LIMIT_CONTAINER_UID);

	return write_text(rootfs, "/etc/passwd", passwd, err) ||
	       write_text(rootfs, "/etc/group", group, err) ||
	       write_text(rootfs, "/etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n", err) ||
	       write_text(rootfs, "/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n",
			  err) ? -1 : 0;
}

static char *new_image_id(void)
{
	char stamp[32];

	util_local_time("%Y%m%dT%H%M%S", stamp, sizeof(stamp));
	return xasprintf("sandbench-%s-%s", SANDBENCH_VERSION, stamp);
}

/* The file that marks a folder as an image sandbench assembled: nothing
 * else is ever removed.  Images of before the marker carry their metadata.  */
#define IMAGE_MARKER ".sandbench-image"
#define OLD_IMAGE_MARKER "rootfs/etc/sandbench-image.json"

/* Remove dir if it is absent, empty or an image folder; refuse otherwise.  */
static int remove_image_dir(const char *dir, struct bench_error *err)
{
	int marked = safefile_is_marked(dir, IMAGE_MARKER);

	if (marked < 0)
		return 0;
	if (!marked && safefile_is_marked(dir, OLD_IMAGE_MARKER) != 1)
		return bench_error_set(err, 0, "`%s` is not an image folder (it has no %s): it is "
				       "not removed; choose another folder", dir, IMAGE_MARKER);
	return safefile_remove_tree(dir, err);
}

/* The ID of the image podman tags ref, if sandbench made it (it has the
 * label), else NULL.  */
static char *podman_sandbench_image(const char *ref)
{
	char *argv[] = { "podman", "image", "inspect", "--format",
			 "{{.Id}} {{index .Labels \"sandbench.image_id\"}}", (char *)ref, NULL };
	char *out = NULL, *id = NULL;
	size_t n;

	if (run(argv, &out, NULL) == 0) {
		n = strcspn(out, " \n");
		if (n > 0 && out[n] == ' ' && out[n + 1] != '\n' && out[n + 1] != '\0') {
			out[n] = '\0';
			id = xstrdup(out);
		}
	}
	free(out);
	return id;
}

/* Import the rootfs as ref.  The image ref named before, if sandbench made
 * it, is removed: each new binary's import would otherwise leave a
 * nameless copy of ~300 MB in podman's storage.  podman keeps it while a
 * container uses it.  */
static int podman_import(struct ctr_image *img, struct bench_error *err)
{
	cleanup_free char *tar = xasprintf("%s/rootfs.tar", img->dir);
	cleanup_free char *ref = xasprintf("localhost/sandbench:%s", SANDBENCH_VERSION);
	cleanup_free char *change = xasprintf("LABEL sandbench.image_id=%s", img->id);
	cleanup_free char *old = podman_sandbench_image(ref);
	cleanup_free char *now = NULL;
	char *tar_argv[] = { "tar", "-C", img->rootfs, "-cf", tar, ".", NULL };
	char *import_argv[] = { "podman", "import", "--change", change, tar, ref, NULL };

	fprintf(stderr, "image: podman import as %s\n", ref);
	if (run(tar_argv, NULL, err) < 0 || run(import_argv, NULL, err) < 0)
		return -1;
	now = podman_sandbench_image(ref);
	if (old && now && strcmp(old, now) != 0) {
		char *rmi_argv[] = { "podman", "rmi", old, NULL };
		run(rmi_argv, NULL, NULL);
	}
	img->podman_ref = ref;
	ref = NULL;
	return 0;
}

static int have_podman(void)
{
	char *argv[] = { "podman", "--version", NULL };
	return run(argv, NULL, NULL) == 0;
}

/* Both folders are checked before anything is assembled: dir.new is
 * removed, and dir replaced, only when it is an image folder.  */
static int check_folders(const char *dir, const char *tmp, struct bench_error *err)
{
	if (remove_image_dir(tmp, err) < 0)
		return -1;
	if (safefile_is_marked(dir, IMAGE_MARKER) == 0 &&
	    safefile_is_marked(dir, OLD_IMAGE_MARKER) != 1)
		return bench_error_set(err, 0, "`%s` is not an image folder (it has no %s): it is not "
				       "replaced; choose another folder", dir, IMAGE_MARKER);
	return 0;
}

/* The marked folder tmp, and in its rootfs the host's files: the binary,
 * Python's standard library, the zones, the packages, the libraries.  */
static int assemble(const char *tmp, struct strset *pkgs, struct strset *files,
		    struct strset *libs, struct bench_error *err)
{
	cleanup_free char *marker = xasprintf("%s/%s", tmp, IMAGE_MARKER);
	cleanup_free char *rootfs = xasprintf("%s/rootfs", tmp);
	cleanup_free char *bin = xasprintf("%s/usr/bin/sandbench", rootfs);
	cleanup_free char *stdlib = xasprintf("%s/usr/lib/python3.11", rootfs);
	cleanup_free char *zone = xasprintf("%s/usr/share/zoneinfo", rootfs);
	char *cp_bin[] = { "cp", (char *)util_self_exe(), bin, NULL };
	char *cp_std[] = { "cp", "-a", "/usr/lib/python3.11", stdlib, NULL };
	char *cp_zone[] = { "cp", "-a", "/usr/share/zoneinfo", zone, NULL };

	if (mkdir(tmp, 0755) < 0)
		return bench_error_set(err, errno, "create `%s`", tmp);
	if (util_write_file_atomic(marker, "sandbench image folder\n", 23, err) < 0 ||
	    make_skeleton(rootfs, err) < 0 || run(cp_bin, NULL, err) < 0 ||
	    run(cp_std, NULL, err) < 0 || run(cp_zone, NULL, err) < 0)
		return -1;
	if (package_closure(pkgs, err) < 0 || package_files(pkgs, files, err) < 0 ||
	    copy_parents(rootfs, "-P", files, err) < 0)
		return -1;
	return library_closure(rootfs, libs, err) < 0 || copy_parents(rootfs, "-L", libs, err) < 0 ?
		-1 : 0;
}

/* What the image is (rootfs/etc/sandbench-image.json, img->id), and a
 * default config.json, so that `runc run -b DIR` works as it is.  */
static int describe(const char *dir, const char *tmp, const struct strset *pkgs,
		    const struct strset *libs, struct ctr_image *img, struct bench_error *err)
{
	cleanup_free char *rootfs = xasprintf("%s/rootfs", tmp);
	cleanup_free char *final_rootfs = xasprintf("%s/rootfs", dir);
	cleanup_free char *path = xasprintf("%s/config.json", tmp);
	cleanup_free char *text = NULL, *config_text = NULL;
	struct ctr_oci_spec spec = { .rootfs = final_rootfs, .args = (const char *[]){
		"/usr/bin/sandbench", "env", NULL } };
	char host[256] = "unknown";
	json_t *meta, *config;

	img->id = new_image_id();
	gethostname(host, sizeof(host) - 1);
	meta = json_pack("{s:s, s:s, s:s, s:o, s:i}", "image_id", img->id,
			 "sandbench_version", SANDBENCH_VERSION, "built_on", host,
			 "packages", json_array(), "libraries", (int)libs->n);
	for (size_t i = 0; i < pkgs->n; i++)
		json_array_append_new(json_object_get(meta, "packages"), json_string(pkgs->v[i]));
	text = json_dumps(meta, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(meta);
	config = ctr_oci_config(&spec);
	config_text = json_dumps(config, JSON_INDENT(2));
	json_decref(config);
	if (write_text(rootfs, "/etc/sandbench-image.json", text, err) < 0)
		return -1;
	return util_write_file_atomic(path, config_text, strlen(config_text), err);
}

/* Switch atomically: a matrix never sees a half-removed image.  */
static int switch_folders(const char *tmp, const char *dir, struct bench_error *err)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0)
		return remove_image_dir(tmp, err);
	if (errno != ENOENT || rename(tmp, dir) < 0)
		return bench_error_set(err, errno, "rename `%s` to `%s`", tmp, dir);
	return 0;
}

int ctr_image_build(const char *dir, int podman, struct ctr_image *img,
		    struct bench_error *err)
{
	cleanup_free char *tmp = xasprintf("%s.new", dir);
	struct strset pkgs = { 0 }, files = { 0 }, libs = { 0 };
	int rc = -1;

	memset(img, 0, sizeof(*img));
	fprintf(stderr, "image: assembling %s from this host's files\n", dir);
	if (check_folders(dir, tmp, err) < 0 || assemble(tmp, &pkgs, &files, &libs, err) < 0 ||
	    describe(dir, tmp, &pkgs, &libs, img, err) < 0 || switch_folders(tmp, dir, err) < 0)
		goto out;
	img->dir = xstrdup(dir);
	img->rootfs = xasprintf("%s/rootfs", dir);
	fprintf(stderr, "image: %s: %zu packages, %zu files, %zu libraries\n", img->id, pkgs.n,
		files.n, libs.n);
	if (podman && have_podman() && podman_import(img, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		ctr_image_release(img);
	strset_release(&pkgs);
	strset_release(&files);
	strset_release(&libs);
	return rc;
}

static int podman_has(const char *ref)
{
	char *argv[] = { "podman", "image", "exists", (char *)ref, NULL };
	return run(argv, NULL, NULL) == 0;
}

static int ensure_locked(const char *dir, int podman, struct ctr_image *img,
			 struct bench_error *err);

/* Two matrices starting at once must not assemble the same folder twice:
 * the second waits for the first, then finds the image ready.  */
int ctr_image_ensure(const char *dir, int podman, struct ctr_image *img,
		     struct bench_error *err)
{
	cleanup_free char *lock_path = xasprintf("%s.lock", dir);
	int fd = safefile_lock(lock_path, LOCK_EX, "another build of the image", err);

	if (fd < 0)
		return -1;
	if (ensure_locked(dir, podman, img, err) < 0) {
		close(fd);
		return -1;
	}
	/* Shared from now until ctr_image_release: matrices may use the image
	 * side by side, `image build` waits for them.  */
	if (flock(fd, LOCK_SH) < 0) {
		close(fd);
		ctr_image_release(img);
		return bench_error_set(err, errno, "lock `%s`", lock_path);
	}
	img->lock_fd = fd;
	return 0;
}

int ctr_image_open(const char *dir, struct ctr_image *img, struct bench_error *err)
{
	cleanup_free char *meta_path = xasprintf("%s/rootfs/etc/sandbench-image.json", dir);
	cleanup_free char *text = NULL;
	json_t *meta;

	memset(img, 0, sizeof(*img));
	if (util_read_file(meta_path, LIMIT_SMALL_FILE, &text, NULL, err) < 0)
		return -1;
	meta = json_loads(text, 0, NULL);
	if (!json_string_value(json_object_get(meta, "image_id"))) {
		json_decref(meta);
		return bench_error_set(err, 0, "`%s` names no image_id: not an image that "
				       "`sandbench image build` made", meta_path);
	}
	img->id = xstrdup(json_string_value(json_object_get(meta, "image_id")));
	json_decref(meta);
	img->dir = xstrdup(dir);
	img->rootfs = xasprintf("%s/rootfs", dir);
	return 0;
}

static int ensure_locked(const char *dir, int podman, struct ctr_image *img,
			 struct bench_error *err)
{
	cleanup_free char *meta_path = xasprintf("%s/rootfs/etc/sandbench-image.json", dir);
	struct bench_error ignored = { 0 };
	struct stat meta_st, bin_st;

	if (stat(meta_path, &meta_st) < 0 || stat(util_self_exe(), &bin_st) < 0 ||
	    meta_st.st_mtime < bin_st.st_mtime)
		return ctr_image_build(dir, podman, img, err);
	if (ctr_image_open(dir, img, &ignored) < 0) {
		bench_error_release(&ignored);
		return ctr_image_build(dir, podman, img, err);
	}
	if (podman) {
		cleanup_free char *ref = xasprintf("localhost/sandbench:%s", SANDBENCH_VERSION);
		cleanup_free char *inspect = NULL;
		char *argv[] = { "podman", "image", "inspect", "--format",
				 "{{index .Labels \"sandbench.image_id\"}}", ref, NULL };
		if (!podman_has(ref) || run(argv, &inspect, NULL) < 0 ||
		    strncmp(inspect, img->id, strlen(img->id)) != 0) {
			if (podman_import(img, err) < 0) {
				ctr_image_release(img);
				return -1;
			}
		} else {
			img->podman_ref = ref;
			ref = NULL;
		}
	}
	return 0;
}

void ctr_image_release(struct ctr_image *img)
{
	if (img->lock_fd > 0)
		close(img->lock_fd);
	free(img->dir);
	free(img->rootfs);
	free(img->id);
	free(img->podman_ref);
	memset(img, 0, sizeof(*img));
}

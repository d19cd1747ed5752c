/* The container image, assembled offline from the host's own files: an OCI
 * bundle folder (rootfs/ and config.json), a rootfs.tar for `podman import`,
 * and, where podman exists, the image localhost/sandbench:VERSION.  */
#ifndef CTR_IMAGE_H
#define CTR_IMAGE_H

struct bench_error;

struct ctr_image {
	char *dir;		/* the bundle folder */
	char *rootfs;		/* dir/rootfs */
	char *id;		/* "sandbench-0.1.0-20261127T100000", recorded inside */
	char *podman_ref;	/* "localhost/sandbench:0.1.0", NULL without podman */
	int lock_fd;		/* > 0: holds DIR.lock shared (ctr_image_ensure) */
};

/* The Debian packages whose Python modules the image carries (with their
 * python3-* dependencies): those of `bench/deps.sh --image-packages`, the
 * one list (tests compare them both ways).  NULL-terminated.  */
extern const char *const ctr_image_packages[];

/* The default bundle folder: $SANDBENCH_IMAGE_DIR, else
 * /var/tmp/sandbench-image-VERSION.  */
const char *ctr_image_default_dir(void);

/* Assemble the image in dir.new, then switch it with dir atomically and
 * remove the old one; with podman, also `podman import` it.  Refuses (and
 * removes nothing) when dir or dir.new exists and is not an image folder.
 * The caller holds DIR.lock exclusively.  Progress on stderr.  */
int ctr_image_build(const char *dir, int podman, struct ctr_image *img,
		    struct bench_error *err);

/* Open the image in dir, building it first when it is missing or older than
 * the running binary (or, with podman, absent from podman's store).  The
 * image stays locked (DIR.lock, shared) until ctr_image_release: `image
 * build` waits for it.  A folder that is not an image is never removed.  */
int ctr_image_ensure(const char *dir, int podman, struct ctr_image *img,
		     struct bench_error *err);

/* The image in dir as it is, never rebuilt nor locked: for a caller that is
 * not the binary the image holds (a test opening an image of $SANDBENCH,
 * which ctr_image_ensure would find older than itself and rebuild).  */
int ctr_image_open(const char *dir, struct ctr_image *img, struct bench_error *err);

void ctr_image_release(struct ctr_image *img);

#endif

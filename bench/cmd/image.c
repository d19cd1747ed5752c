/* `sandbench image build`: the container image, from this host's files.  */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "bench/cmd/cmd.h"
#include "bench/lib/error.h"
#include "bench/lib/safefile.h"
#include "bench/lib/util.h"

const char usage_image[] =
	"usage: sandbench image build [-o DIR] [--no-podman]\n"
	"\n"
	"Assemble the container image from this host's files (no registry needed):\n"
	"the binary, its shared libraries and those of every Python extension\n"
	"module, /usr/lib/python3.11, the dist-packages of the workloads' Debian\n"
	"packages, /usr/share/zoneinfo and a minimal /etc.  Writes an OCI bundle\n"
	"(DIR/rootfs, DIR/config.json) and, where podman exists, DIR/rootfs.tar\n"
	"imported as localhost/sandbench:VERSION.\n"
	"  -o, --output DIR   the bundle folder (default: $SANDBENCH_IMAGE_DIR or\n"
	"                     /var/tmp/sandbench-image-VERSION)\n"
	"      --no-podman    do not import the image into podman\n";

int image_parse(int argc, char **argv, struct image_options *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "no-podman", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct image_options){ .dir = ctr_image_default_dir(), .podman = 1 };
	if (argc < 2 || strcmp(argv[1], "build") != 0)
		return cmd_usage_error(usage_image, "%s", "image: give the subcommand `build`");
	argc--;
	argv++;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "o:", longopts)) != -1) {
		if (c == 'o')
			o->dir = optarg;
		else if (c == 'P')
			o->podman = 0;
		else
			return cmd_usage_error(usage_image, NULL);
	}
	if (optind < argc)
		return cmd_usage_error(usage_image, "image build: unexpected argument `%s`",
				       argv[optind]);
	return 0;
}

int cmd_image(int argc, char **argv)
{
	struct image_options o;
	struct bench_error err = { 0 };
	struct ctr_image img;
	cleanup_free char *lock_path = NULL;
	int lock, rc = image_parse(argc, argv, &o);

	if (rc)
		return rc;
	lock_path = xasprintf("%s.lock", o.dir);
	lock = safefile_lock(lock_path, LOCK_EX, "the matrices using the image to finish", &err);
	if (lock < 0 || ctr_image_build(o.dir, o.podman, &img, &err) < 0) {
		fprintf(stderr, "sandbench: image build: %s\n", err.msg);
		bench_error_release(&err);
		if (lock >= 0)
			close(lock);
		return 1;
	}
	close(lock);
	printf("%s\n%s\n", img.dir, img.podman_ref ? img.podman_ref : "");
	ctr_image_release(&img);
	return 0;
}

/* Kernel probes of loopback TCP: a round trip between two threads, an
 * event loop's round trip, a connection.  */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "categories/kernel/probe.h"
#include "categories/native.h"

static void close_open(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ---- tcp_loopback_rtt ---- */

#define MESSAGE 64

struct tcp_probe {
	int listener, client, server;
	pthread_t thread;
	int started;
};

/* Send or receive exactly len bytes; the count done, short at the end of
 * the stream, or -1.  */
static ssize_t transfer(int fd, char *buf, size_t len, int sending)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = sending ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
				    : recv(fd, buf + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static void *tcp_echo(void *arg)
{
	struct tcp_probe *p = arg;
	char buf[MESSAGE];

	while (transfer(p->server, buf, MESSAGE, 0) == MESSAGE)
		if (transfer(p->server, buf, MESSAGE, 1) != MESSAGE)
			break;
	/* Wake a client waiting for a reply that will not come.  */
	shutdown(p->server, SHUT_WR);
	return NULL;
}

static void tcp_teardown(void *state)
{
	struct tcp_probe *p = state;

	if (!p)
		return;
	if (p->started) {
		/* End of stream stops the echo thread; shutting its side for
		 * reading wakes it even if that never arrives.  */
		shutdown(p->client, SHUT_WR);
		shutdown(p->server, SHUT_RD);
		pthread_join(p->thread, NULL);
	}
	close_open(p->client);
	close_open(p->server);
	close_open(p->listener);
	free(p);
}

/* A loopback TCP connection, both ends in this process, TCP_NODELAY (small
 * messages leave at once, not at Nagle's timer): 0, or -1 (err set).  The
 * listener stays open for the caller to close.  */
static int tcp_pair(int *listener, int *client, int *server, struct bench_error *err)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t addrlen = sizeof(addr);
	int one = 1;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*listener < 0)
		return probe_error(err, errno, "create a TCP socket");
	if (bind(*listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(*listener, 1) < 0 ||
	    getsockname(*listener, (struct sockaddr *)&addr, &addrlen) < 0)
		return probe_error(err, errno, "listen on 127.0.0.1");
	*client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*client < 0)
		return probe_error(err, errno, "create a TCP socket");
	if (connect(*client, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return probe_error(err, errno, "connect to 127.0.0.1:%d", ntohs(addr.sin_port));
	*server = accept4(*listener, NULL, NULL, SOCK_CLOEXEC);
	if (*server < 0)
		return probe_error(err, errno, "accept on 127.0.0.1:%d", ntohs(addr.sin_port));
	if (setsockopt(*client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    setsockopt(*server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return probe_error(err, errno, "set TCP_NODELAY");
	return 0;
}

static int tcp_start(struct tcp_probe *p, struct bench_error *err)
{
	int rc;

	if (tcp_pair(&p->listener, &p->client, &p->server, err) < 0)
		return -1;
	rc = pthread_create(&p->thread, NULL, tcp_echo, p);
	if (rc != 0)
		return probe_error(err, rc, "start the echo thread");
	p->started = 1;
	return 0;
}

static int tcp_setup(void **state, struct bench_error *err)
{
	struct tcp_probe *p = xcalloc(1, sizeof(*p));

	p->listener = p->client = p->server = -1;
	if (tcp_start(p, err) < 0) {
		tcp_teardown(p);
		return -1;
	}
	*state = p;
	return 0;
}

static int tcp_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		   struct bench_error *err)
{
	struct tcp_probe *p = state;
	char msg[MESSAGE], reply[MESSAGE];
	ssize_t n;

	memset(msg, 'q', sizeof(msg));
	for (uint64_t i = 0; i < loops; i++) {
		msg[0] = (char)i;
		if (transfer(p->client, msg, MESSAGE, 1) != MESSAGE)
			return probe_error(err, errno, "send %d bytes over loopback", MESSAGE);
		n = transfer(p->client, reply, MESSAGE, 0);
		if (n != MESSAGE)
			return bench_error_set(err, n < 0 ? errno : 0, "receive %d bytes over "
					       "loopback%s", MESSAGE,
					       n >= 0 ? ": the echo thread stopped" : "");
		if (reply[0] != msg[0])
			return bench_error_set(err, 0, "tcp: the reply differs from the request");
	}
	return 0;
}

const struct bench_native_ops kernel_tcp_loopback_rtt_ops = {
	.setup = tcp_setup,
	.run = tcp_run,
	.teardown = tcp_teardown,
};

/* ---- tcp_epoll_rtt ---- */

/* asyncio's and tornado's way: one thread serves both ends of a
 * connection from one epoll set, and every message waits in epoll_wait
 * for the other end to see it.  asyncio_tcp's messages are 1 to 4 KiB.  */
#define LOOP_MESSAGE 2048
#define LOOP_WAIT_MS 10000

struct loop_probe {
	int listener, client, server, ep;
};

static void loop_teardown(void *state)
{
	struct loop_probe *p = state;

	if (!p)
		return;
	close_open(p->ep);
	close_open(p->client);
	close_open(p->server);
	close_open(p->listener);
	free(p);
}

static int loop_start(struct loop_probe *p, struct bench_error *err)
{
	int ends[2];

	if (tcp_pair(&p->listener, &p->client, &p->server, err) < 0)
		return -1;
	ends[0] = p->client;
	ends[1] = p->server;
	p->ep = epoll_create1(EPOLL_CLOEXEC);
	if (p->ep < 0)
		return probe_error(err, errno, "create an epoll set");
	for (int i = 0; i < 2; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = ends[i] };

		if (fcntl(ends[i], F_SETFL, O_NONBLOCK) < 0 ||
		    epoll_ctl(p->ep, EPOLL_CTL_ADD, ends[i], &ev) < 0)
			return probe_error(err, errno, "watch a TCP socket with epoll");
	}
	return 0;
}

static int loop_setup(void **state, struct bench_error *err)
{
	struct loop_probe *p = xcalloc(1, sizeof(*p));

	p->listener = p->client = p->server = p->ep = -1;
	if (loop_start(p, err) < 0) {
		loop_teardown(p);
		return -1;
	}
	*state = p;
	return 0;
}

/* Send a message on from, wait in epoll_wait until to has all of it.  */
static int loop_pass(struct loop_probe *p, int from, int to, char *msg, char *buf,
		     struct bench_error *err)
{
	size_t got = 0;
	ssize_t n = send(from, msg, LOOP_MESSAGE, MSG_NOSIGNAL);

	/* A fresh 2 KiB fits any socket buffer: a short send is a failure.  */
	if (n != LOOP_MESSAGE)
		return probe_error(err, n < 0 ? errno : 0, "send %d bytes over loopback: %zd sent",
				   LOOP_MESSAGE, n);
	while (got < LOOP_MESSAGE) {
		struct epoll_event ev[2];
		int ready = epoll_wait(p->ep, ev, 2, LOOP_WAIT_MS);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return probe_error(err, errno, "epoll_wait");
		if (ready == 0)
			return bench_error_set(err, 0, "epoll_wait: no data over loopback in %d s",
					       LOOP_WAIT_MS / 1000);
		n = recv(to, buf + got, LOOP_MESSAGE - got, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return bench_error_set(err, n < 0 ? errno : 0, "receive %d bytes over "
					       "loopback%s", LOOP_MESSAGE, n == 0 ? ": closed" : "");
		got += (size_t)n;
	}
	if (memcmp(buf, msg, LOOP_MESSAGE) != 0)
		return bench_error_set(err, 0, "tcp: the message arrived changed");
	return 0;
}

/* A message there and back: two sends, two waits, two receives.  */
static int loop_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		    struct bench_error *err)
{
	struct loop_probe *p = state;
	char msg[LOOP_MESSAGE], there[LOOP_MESSAGE], back[LOOP_MESSAGE];

	(void)elapsed_ns;
	memset(msg, 'q', sizeof(msg));
	for (uint64_t i = 0; i < loops; i++) {
		msg[0] = (char)i;
		if (loop_pass(p, p->client, p->server, msg, there, err) < 0 ||
		    loop_pass(p, p->server, p->client, there, back, err) < 0)
			return -1;
	}
	return 0;
}

const struct bench_native_ops kernel_tcp_epoll_rtt_ops = {
	.setup = loop_setup,
	.run = loop_run,
	.teardown = loop_teardown,
};

/* ---- tcp_connect ---- */

struct connect_probe {
	int listener;
	struct sockaddr_in addr;
};

static void connect_teardown(void *state)
{
	struct connect_probe *p = state;

	if (!p)
		return;
	close_open(p->listener);
	free(p);
}

static int connect_setup(void **state, struct bench_error *err)
{
	struct connect_probe *p = xcalloc(1, sizeof(*p));
	socklen_t addrlen = sizeof(p->addr);

	p->addr.sin_family = AF_INET;
	p->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->listener < 0) {
		probe_error(err, errno, "create a TCP socket");
		goto fail;
	}
	if (bind(p->listener, (struct sockaddr *)&p->addr, sizeof(p->addr)) < 0 ||
	    listen(p->listener, 16) < 0 ||
	    getsockname(p->listener, (struct sockaddr *)&p->addr, &addrlen) < 0) {
		probe_error(err, errno, "listen on 127.0.0.1");
		goto fail;
	}
	*state = p;
	return 0;
fail:
	connect_teardown(p);
	return -1;
}

/* A loopback connection made, accepted and closed on both sides: what an
 * HTTP client without keep-alive and its server pay per request, before
 * any byte.  */
static int connect_run(void *state, uint64_t loops, uint64_t *elapsed_ns,
		       struct bench_error *err)
{
	struct connect_probe *p = state;
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };

	for (uint64_t i = 0; i < loops; i++) {
		int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), server;

		if (client < 0)
			return probe_error(err, errno, "create a TCP socket");
		if (connect(client, (struct sockaddr *)&p->addr, sizeof(p->addr)) < 0) {
			close(client);
			return probe_error(err, errno, "connect to 127.0.0.1:%d",
					   ntohs(p->addr.sin_port));
		}
		server = accept4(p->listener, NULL, NULL, SOCK_CLOEXEC);
		if (server < 0) {
			close(client);
			return probe_error(err, errno, "accept on 127.0.0.1:%d",
					   ntohs(p->addr.sin_port));
		}
		/* The client resets rather than close gracefully: no side
		 * keeps a TIME_WAIT, thousands of which would slow every later
		 * connect's port search and run out of ports in a long run.  */
		setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
		close(client);
		close(server);
	}
	return 0;
}

const struct bench_native_ops kernel_tcp_connect_ops = {
	.setup = connect_setup,
	.run = connect_run,
	.teardown = connect_teardown,
};

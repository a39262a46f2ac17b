/* First-packet latency: `count` blocking TCP connects, each closed with a reset at once; prints one latency
 * per line in microseconds (the connect() call: SYN → SYN-ACK, through the NAT when there is one).
 * With a second target the connects alternate A, B, A, B… and lines are prefixed "A " / "B ", so the two
 * are compared under the same conditions (a busy machine drifts by ±20% within seconds).
 * Built and run by bench/proxy.ts inside a client pod's network namespace: a C client keeps the measuring
 * overhead out of the figure (a Node client adds ~100 µs of event-loop time).
 *   connect-latency 10.96.0.10 80 3000 [10.244.1.11 8080] */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int target(const char *host, const char *port, struct sockaddr_in *addr) {
  addr->sin_family = AF_INET;
  addr->sin_port = htons((unsigned short)atoi(port));
  return inet_pton(AF_INET, host, &addr->sin_addr) == 1;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 6) { fprintf(stderr, "usage: %s host port count [host2 port2]\n", argv[0]); return 2; }
  struct sockaddr_in addrs[2] = { 0 };
  int n = argc == 6 ? 2 : 1;
  if (!target(argv[1], argv[2], &addrs[0]) || (n == 2 && !target(argv[4], argv[5], &addrs[1]))) {
    fprintf(stderr, "bad address\n");
    return 2;
  }
  int count = atoi(argv[3]);
  struct linger reset = { .l_onoff = 1, .l_linger = 0 };
  for (int i = 0; i < count * n; i++) {
    struct sockaddr_in *addr = &addrs[i % n];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = connect(fd, (struct sockaddr *)addr, sizeof *addr);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (rc != 0) { perror("connect"); return 1; }
    double us = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
    if (n == 2) printf("%c %.1f\n", i % 2 ? 'B' : 'A', us);
    else printf("%.1f\n", us);
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
  }
  return 0;
}

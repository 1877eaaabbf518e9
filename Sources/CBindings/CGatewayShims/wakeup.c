/* The AMQP thread's idle sleep: an eventfd other threads write, and a poll on it and the connection's socket.
   Swift's Glibc module does not import <sys/eventfd.h>. See the declarations in CGatewayShims.h. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "CGatewayShims.h"

int cgs_wakeup_open(void) {
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return fd >= 0 ? fd : -errno;
}

void cgs_wakeup_signal(int wake_fd) {
    uint64_t one = 1;
    /* EAGAIN only when the counter is near 2^64: it is readable then anyway, which is all a waiter needs. */
    ssize_t written;
    do {
        written = write(wake_fd, &one, sizeof one);
    } while (written < 0 && errno == EINTR);
}

void cgs_wakeup_drain(int wake_fd) {
    uint64_t count;
    ssize_t got;
    do {
        got = read(wake_fd, &count, sizeof count);
    } while (got < 0 && errno == EINTR);
}

int cgs_wakeup_wait(int socket, int wake_fd, int timeout_ms) {
    struct pollfd fds[2] = {
        {.fd = socket, .events = POLLIN, .revents = 0},
        {.fd = wake_fd, .events = POLLIN, .revents = 0},
    };
    int ready = poll(fds, 2, timeout_ms);
    if (ready < 0) return errno == EINTR ? 0 : -errno;
    int result = 0;
    /* A hang-up or error on the socket counts as readable: the read that follows reports it. */
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) result |= CGS_WAKEUP_SOCKET;
    if (fds[1].revents & POLLIN) result |= CGS_WAKEUP_SIGNALLED;
    return result;
}

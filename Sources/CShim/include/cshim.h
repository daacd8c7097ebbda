// Linux headers that Swift's Glibc module does not export: AF_PACKET link-layer addresses,
// classic BPF socket filters and interface flags. LinuxIO only; Core never sees these.
#ifndef KAKAPO_CSHIM_H
#define KAKAPO_CSHIM_H
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <linux/filter.h>
#include <net/if.h>
#include <ifaddrs.h>
#include <sys/signalfd.h>
#include <signal.h>
#include <sys/un.h>

#include <sys/socket.h>
#include <malloc.h>

static inline unsigned int kakapo_iff_up(void) { return IFF_UP; }
static inline unsigned int kakapo_iff_loopback(void) { return IFF_LOOPBACK; }

/// struct mmsghdr, laid out as glibc's (which Swift does not see without _GNU_SOURCE).
struct kakapo_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

/// Receives up to `n` datagrams without blocking: recvmmsg(2), or recvmsg(2) one at a time
/// where the kernel has no recvmmsg (ENOSYS). The caller sets each header's msg_namelen and
/// msg_controllen (the kernel overwrites those of the messages it fills). Returns how many
/// were received (msg_len each), or -1 with errno (EAGAIN: none pending).
int kakapo_recvmmsg(int fd, struct kakapo_mmsghdr *v, unsigned int n);

/// Sends up to `n` datagrams: sendmmsg(2), or sendmsg(2) one at a time where the kernel has
/// no sendmmsg (ENOSYS). Returns how many the kernel took from the front of `v` (the first
/// one not taken failed: errno), or -1 with errno when the first one failed.
int kakapo_sendmmsg(int fd, struct kakapo_mmsghdr *v, unsigned int n);

/// Adds `fd` to epoll set `ep` for input; `exclusive`: EPOLLEXCLUSIVE (of the threads waiting
/// on the same descriptor through their own sets, one is woken). 0 or -1 with errno.
int kakapo_epoll_add(int ep, int fd, int exclusive);
/// Names the calling thread (at most 15 bytes: /proc/PID/task/TID/comm).
void kakapo_name_thread(const char *name);
/// An epoll set, close-on-exec.
int kakapo_epoll_create(void);
/// A non-blocking, close-on-exec eventfd(2) counter.
int kakapo_eventfd(void);
/// epoll_wait(2), giving the ready descriptors (not the packed epoll_event records).
int kakapo_epoll_wait(int ep, int *fds, int max, int timeout);
#endif

#include "redis/pool.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace jieshui::redis {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// hiredis 0.14 writes with write(2), so writing to a connection the server has reset raises
// SIGPIPE, whose default action ends the process. A library should not change the process-wide
// disposition, so SIGPIPE is blocked in the calling thread around hiredis calls and any SIGPIPE
// they raised is consumed; the failed write itself still reports EPIPE through ctx->err.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    // A SIGPIPE already pending is blocked already and belongs to someone else: leave it be.
    already_pending_ = sigismember(&pending, SIGPIPE) == 1;
    if (!already_pending_) {
      pthread_sigmask(SIG_BLOCK, &sigpipe_, &previous_);
    }
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;
  ~ScopedSigpipeBlock() {
    if (already_pending_) {
      return;
    }
    const int saved_errno = errno;
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1) {
      const timespec no_wait{0, 0};
      while (sigtimedwait(&sigpipe_, nullptr, &no_wait) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    errno = saved_errno;
  }

 private:
  sigset_t sigpipe_{};
  sigset_t previous_{};
  bool already_pending_ = false;
};

std::string Address(const Options& options) {
  return absl::StrCat(options.host, ":", options.port);
}

// The command name for messages; arguments may be user data and never appear in them.
std::string CommandName(absl::Span<const std::string> argv) {
  return argv.empty() ? std::string("(empty)") : absl::CEscape(argv[0].substr(0, 32));
}

// An idle connection must have nothing to read: RESP2 without pub/sub never sends unasked. When
// poll() says otherwise the server closed it (EOF/RST, e.g. it restarted) or the stream is out of
// step; either way the connection is unusable. One non-blocking poll() per command is cheap.
bool IsBroken(const redisContext* context) {
  if (context->err != 0) {
    return true;
  }
  pollfd descriptor{context->fd, POLLIN, 0};
  int ready = 0;
  do {
    ready = poll(&descriptor, 1, 0);
  } while (ready < 0 && errno == EINTR);
  return ready != 0;
}

// Status for a failed hiredis call. *retryable says whether the failure is a lost connection
// that a fresh connection may not suffer (not a timeout, not a protocol error).
absl::Status TransportError(const Options& options, const redisContext* context, int saved_errno,
                            absl::string_view what, bool* retryable) {
  const std::string where = absl::StrCat("redis ", Address(options), ": ", what);
  *retryable = false;
  switch (context->err) {
    case REDIS_ERR_IO:
      // hiredis reports SO_RCVTIMEO/SO_SNDTIMEO expiry as an I/O error with errno EAGAIN.
      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK) {
        return absl::UnavailableError(absl::StrCat(where, ": timed out after ",
                                                   absl::FormatDuration(options.command_timeout)));
      }
      *retryable = true;
      return absl::UnavailableError(absl::StrCat(where, ": connection failed: ", context->errstr));
    case REDIS_ERR_EOF:
      *retryable = true;
      return absl::UnavailableError(absl::StrCat(where, ": connection closed by the server"));
    case REDIS_ERR_PROTOCOL:
      return absl::InternalError(absl::StrCat(where, ": protocol error: ", context->errstr));
    case REDIS_ERR_OOM:
      return absl::InternalError(absl::StrCat(where, ": out of memory: ", context->errstr));
    default:
      *retryable = true;
      return absl::UnavailableError(absl::StrCat(where, ": ", context->errstr));
  }
}

// Pointers and lengths for hiredis' argv calls; valid while `argv` lives.
struct ArgvView {
  explicit ArgvView(absl::Span<const std::string> argv) {
    pointers.reserve(argv.size());
    lengths.reserve(argv.size());
    for (const std::string& argument : argv) {
      pointers.push_back(argument.data());
      lengths.push_back(argument.size());
    }
  }
  int argc() const { return static_cast<int>(pointers.size()); }
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
};

// Runs one command on a connection that is being set up (AUTH, SELECT).
absl::Status SetupCommand(const Options& options, redisContext* context,
                          absl::Span<const std::string> argv) {
  ArgvView view(argv);
  void* raw = nullptr;
  int saved_errno = 0;
  {
    ScopedSigpipeBlock block;
    errno = 0;
    raw = redisCommandArgv(context, view.argc(), view.pointers.data(), view.lengths.data());
    saved_errno = errno;
  }
  if (raw == nullptr) {
    bool retryable = false;
    return TransportError(options, context, saved_errno, argv[0], &retryable);
  }
  ReplyPtr reply(static_cast<redisReply*>(raw));
  if (reply->type == REDIS_REPLY_ERROR) {
    return ErrorReplyToStatus(argv[0], absl::string_view(reply->str, reply->len));
  }
  return absl::OkStatus();
}

}  // namespace

// --- Lease -------------------------------------------------------------------------------------

void Lease::ContextDeleter::operator()(redisContext* context) const { redisFree(context); }

Lease::Lease(ConnectionPool* pool, ContextPtr context)
    : pool_(pool), context_(std::move(context)) {}

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      context_(std::move(other.context_)),
      fresh_(other.fresh_) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (pool_ != nullptr) {
      pool_->Return(std::move(context_));
    }
    pool_ = std::exchange(other.pool_, nullptr);
    context_ = std::move(other.context_);
    fresh_ = other.fresh_;
  }
  return *this;
}

Lease::~Lease() {
  if (pool_ != nullptr) {
    pool_->Return(std::move(context_));
  }
}

void Lease::Discard() {
  if (context_ != nullptr) {
    context_.reset();
    pool_->CountDiscard();
  }
}

absl::Status Lease::Connect() {
  if (pool_ == nullptr) {
    return absl::FailedPreconditionError("redis: command on a moved-from lease");
  }
  if (context_ != nullptr && IsBroken(context_.get())) {
    Discard();
  }
  if (context_ == nullptr) {
    absl::StatusOr<ContextPtr> context = pool_->Dial();
    if (!context.ok()) {
      return context.status();
    }
    context_ = *std::move(context);
    fresh_ = true;
  }
  return absl::OkStatus();
}

template <typename Attempt>
auto Lease::WithRetry(Idempotency idempotency, Attempt attempt) -> decltype(attempt(nullptr)) {
  for (int round = 0;; ++round) {
    if (absl::Status connected = Connect(); !connected.ok()) {
      return connected;
    }
    const bool dialled = fresh_;
    bool retryable = false;
    auto result = attempt(&retryable);
    if (result.ok()) {
      fresh_ = false;
      return result;
    }
    // Whatever failed, the connection's stream is in an unknown state (a reply may still be on
    // its way): it is never reused.
    Discard();
    // One more try only when a connection that had been sitting in the pool turned out to be
    // dead (its failure says nothing about the server now) and repeating the command is harmless.
    // A freshly dialled connection failing means the server itself is in trouble.
    if (round == 0 && retryable && !dialled && idempotency == Idempotency::kIdempotent) {
      continue;
    }
    return result;
  }
}

absl::StatusOr<Reply> Lease::Command(absl::Span<const std::string> argv, Idempotency idempotency) {
  if (argv.empty()) {
    return absl::InvalidArgumentError("redis: command has no arguments (argv is empty)");
  }
  ArgvView view(argv);
  return WithRetry(idempotency, [&](bool* retryable) -> absl::StatusOr<Reply> {
    void* raw = nullptr;
    int saved_errno = 0;
    {
      ScopedSigpipeBlock block;
      errno = 0;
      raw =
          redisCommandArgv(context_.get(), view.argc(), view.pointers.data(), view.lengths.data());
      saved_errno = errno;
    }
    if (raw == nullptr) {
      return TransportError(pool_->options(), context_.get(), saved_errno, CommandName(argv),
                            retryable);
    }
    ReplyPtr reply(static_cast<redisReply*>(raw));
    return ConvertReply(reply.get());
  });
}

absl::StatusOr<std::vector<Reply>> Lease::Pipeline(absl::Span<const Argv> commands,
                                                   Idempotency idempotency) {
  for (size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis: pipeline command ", i, " has no arguments (argv is empty)"));
    }
  }
  if (commands.empty()) {
    return std::vector<Reply>();
  }
  return WithRetry(idempotency, [&](bool* retryable) -> absl::StatusOr<std::vector<Reply>> {
    redisContext* context = context_.get();
    for (const Argv& argv : commands) {
      ArgvView view(argv);
      if (redisAppendCommandArgv(context, view.argc(), view.pointers.data(), view.lengths.data()) !=
          REDIS_OK) {
        return absl::InternalError(absl::StrCat("redis ", Address(pool_->options()),
                                                ": cannot buffer pipeline: ", context->errstr));
      }
    }
    std::vector<Reply> replies;
    replies.reserve(commands.size());
    ScopedSigpipeBlock block;
    for (size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      errno = 0;
      if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
        const int saved_errno = errno;
        return TransportError(pool_->options(), context, saved_errno,
                              absl::StrCat("pipeline of ", commands.size(), " commands, at reply ",
                                           i, " (", CommandName(commands[i]), ")"),
                              retryable);
      }
      ReplyPtr reply(static_cast<redisReply*>(raw));
      absl::StatusOr<Reply> converted = ConvertReply(reply.get());
      if (!converted.ok()) {
        return converted.status();
      }
      replies.push_back(*std::move(converted));
    }
    return replies;
  });
}

// --- ConnectionPool ----------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(Options options) {
  if (absl::Status valid = ValidateOptions(options); !valid.ok()) {
    return valid;
  }
  return std::unique_ptr<ConnectionPool>(new ConnectionPool(std::move(options)));
}

ConnectionPool::ConnectionPool(Options options) : options_(std::move(options)) {}

ConnectionPool::~ConnectionPool() {
  std::lock_guard<std::mutex> lock(mu_);
  if (leased_ != 0) {
    // A lease would return its slot into freed memory: a use-after-free waiting to happen.
    std::fprintf(stderr, "jieshui::redis::ConnectionPool destroyed with %d lease(s) outstanding\n",
                 leased_);
    std::abort();
  }
}

absl::StatusOr<Lease> ConnectionPool::Borrow() { return Borrow(options_.borrow_timeout); }

absl::StatusOr<Lease> ConnectionPool::Borrow(absl::Duration wait) {
  ContextPtr context;
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Clamped so that now() + wait cannot overflow for an "infinite" wait.
    const auto chrono_wait =
        absl::ToChronoNanoseconds(std::clamp(wait, absl::ZeroDuration(), absl::Hours(24 * 365)));
    if (!slot_freed_.wait_for(lock, chrono_wait, [this] { return leased_ < options_.pool_size; })) {
      return absl::ResourceExhaustedError(
          absl::StrCat("redis ", Address(options_), ": all ", options_.pool_size,
                       " connections stayed busy for ", absl::FormatDuration(wait)));
    }
    ++leased_;
    if (!idle_.empty()) {
      context = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  // From here the lease owns the slot: every early return gives it back.
  Lease lease(this, std::move(context));
  if (absl::Status connected = lease.Connect(); !connected.ok()) {
    return connected;
  }
  return lease;
}

absl::StatusOr<ConnectionPool::ContextPtr> ConnectionPool::Dial() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (consecutive_dial_failures_ > 0) {
      const absl::Time now = absl::Now();
      if (now < next_dial_allowed_) {
        return absl::UnavailableError(absl::StrCat(
            last_dial_error_.message(), " (", consecutive_dial_failures_,
            " failed dial(s) in a row; next attempt in ",
            absl::FormatDuration(absl::Ceil(next_dial_allowed_ - now, absl::Milliseconds(1))),
            ")"));
      }
      // Claim this attempt: until it fails or succeeds, other callers see the backoff window and
      // fail fast instead of dialling a server that is probably still down.
      next_dial_allowed_ = now + ReconnectBackoff(options_, consecutive_dial_failures_);
    }
    ++stats_.dial_attempts;
  }
  absl::StatusOr<ContextPtr> context = DialOnce();
  std::lock_guard<std::mutex> lock(mu_);
  if (context.ok()) {
    consecutive_dial_failures_ = 0;
  } else {
    ++consecutive_dial_failures_;
    ++stats_.dial_failures;
    next_dial_allowed_ = absl::Now() + ReconnectBackoff(options_, consecutive_dial_failures_);
    last_dial_error_ = context.status();
  }
  return context;
}

absl::StatusOr<ConnectionPool::ContextPtr> ConnectionPool::DialOnce() {
  const std::string address = Address(options_);
  ContextPtr context(redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                             absl::ToTimeval(options_.connect_timeout)));
  if (context == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("redis ", address, ": cannot allocate a connection context"));
  }
  if (context->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("redis ", address, ": connect failed: ", context->errstr));
  }
  // AUTH and SELECT belong to the connect budget; commands get their own timeout afterwards.
  if (redisSetTimeout(context.get(), absl::ToTimeval(options_.connect_timeout)) != REDIS_OK ||
      redisEnableKeepAlive(context.get()) != REDIS_OK) {
    return absl::UnavailableError(
        absl::StrCat("redis ", address, ": cannot set socket options: ", context->errstr));
  }
  if (options_.password.has_value()) {
    Argv auth = {"AUTH"};
    if (options_.username.has_value()) {
      auth.push_back(*options_.username);
    }
    auth.push_back(*options_.password);
    if (absl::Status status = SetupCommand(options_, context.get(), auth); !status.ok()) {
      return status;
    }
  }
  if (options_.db != 0) {
    const Argv select = {"SELECT", absl::StrCat(options_.db)};
    if (absl::Status status = SetupCommand(options_, context.get(), select); !status.ok()) {
      return status;
    }
  }
  if (redisSetTimeout(context.get(), absl::ToTimeval(options_.command_timeout)) != REDIS_OK) {
    return absl::UnavailableError(
        absl::StrCat("redis ", address, ": cannot set command timeout: ", context->errstr));
  }
  return context;
}

void ConnectionPool::CountDiscard() {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.discarded;
}

void ConnectionPool::Return(ContextPtr context) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (context != nullptr && context->err == 0) {
      idle_.push_back(std::move(context));
    }
    --leased_;
  }
  slot_freed_.notify_one();
}

PoolStats ConnectionPool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  PoolStats stats = stats_;
  stats.idle = static_cast<int>(idle_.size());
  stats.leased = leased_;
  return stats;
}

}  // namespace jieshui::redis

// Runs blocking work (PBKDF2, Cyrus SASL steps) on a thread pool and resumes
// the calling coroutine on its own executor with the result.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace postimap::auth {

// `work` runs on a pool thread and must not throw; its result is posted back.
// (A coroutine spawned on the pool would be simpler, but Boost 1.74's
// co_spawn across executors destroys its frame racily.)
template <typename Result, typename Work>
boost::asio::awaitable<Result> run_off_loop(boost::asio::thread_pool& pool, Work work) {
    namespace asio = boost::asio;
    auto pool_ex = pool.get_executor();
    return asio::async_initiate<decltype(asio::use_awaitable), void(Result)>(
        [pool_ex, work = std::move(work)](auto handler) mutable {
            auto guard = asio::make_work_guard(asio::get_associated_executor(handler));
            asio::post(pool_ex, [work = std::move(work), handler = std::move(handler),
                                 guard = std::move(guard)]() mutable {
                Result result = work();
                auto home = guard.get_executor();
                asio::post(home,
                           [handler = std::move(handler), result = std::move(result),
                            guard = std::move(guard)]() mutable { handler(std::move(result)); });
            });
        },
        asio::use_awaitable);
}

}  // namespace postimap::auth

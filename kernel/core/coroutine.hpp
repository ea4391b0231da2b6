// The compiler's side of C++20 coroutines: std::coroutine_handle and
// std::coroutine_traits, which clang looks up by those exact names when it
// lowers a coroutine.
//
// The hosted build takes them from the C++ library (<coroutine>); the
// freestanding kernel has no library, so this header defines the small part
// the language needs on top of clang's __builtin_coro_* intrinsics. Nothing
// else of <coroutine> is provided: kernel code uses core/task.hpp.
#pragma once

#include "base/types.hpp"

#if MOTE_HOSTED
#include <coroutine>
#else
namespace std {

template <typename Result, typename... Args>
struct coroutine_traits {
    using promise_type = typename Result::promise_type;
};

template <typename Promise = void>
struct coroutine_handle;

template <>
struct coroutine_handle<void> {
    constexpr coroutine_handle() noexcept = default;
    constexpr coroutine_handle(decltype(nullptr)) noexcept {}
    static coroutine_handle from_address(void* address) noexcept {
        coroutine_handle handle;
        handle.m_frame = address;
        return handle;
    }
    void* address() const noexcept { return m_frame; }
    explicit operator bool() const noexcept { return m_frame != nullptr; }
    bool done() const noexcept { return __builtin_coro_done(m_frame); }
    void resume() const { __builtin_coro_resume(m_frame); }
    void operator()() const { resume(); }
    void destroy() const noexcept { __builtin_coro_destroy(m_frame); }

protected:
    void* m_frame = nullptr;
};

template <typename Promise>
struct coroutine_handle : coroutine_handle<void> {
    constexpr coroutine_handle() noexcept = default;
    constexpr coroutine_handle(decltype(nullptr)) noexcept {}
    static coroutine_handle from_address(void* address) noexcept {
        coroutine_handle handle;
        handle.m_frame = address;
        return handle;
    }
    static coroutine_handle from_promise(Promise& promise) noexcept {
        coroutine_handle handle;
        handle.m_frame = __builtin_coro_promise(&promise, alignof(Promise), true);
        return handle;
    }
    Promise& promise() const noexcept { return *static_cast<Promise*>(__builtin_coro_promise(m_frame, alignof(Promise), false)); }
};

struct noop_coroutine_promise {};
template <>
struct coroutine_handle<noop_coroutine_promise> : coroutine_handle<void> {
    coroutine_handle() noexcept { m_frame = __builtin_coro_noop(); }
};
using noop_coroutine_handle = coroutine_handle<noop_coroutine_promise>;
inline noop_coroutine_handle noop_coroutine() noexcept { return noop_coroutine_handle(); }

struct suspend_always {
    constexpr bool await_ready() const noexcept { return false; }
    constexpr void await_suspend(coroutine_handle<>) const noexcept {}
    constexpr void await_resume() const noexcept {}
};
struct suspend_never {
    constexpr bool await_ready() const noexcept { return true; }
    constexpr void await_suspend(coroutine_handle<>) const noexcept {}
    constexpr void await_resume() const noexcept {}
};

}  // namespace std
#endif

// Expected<T>: a value or an operational error a person can act on (DESIGN.md §3).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace util {

/// An operational failure: what went wrong, phrased for the person reading it.
struct Error
{
    std::string message;
};

/// Builds an Error; `return Unexpected("...")` reads like the failure it reports.
inline Error Unexpected(std::string message)
{
    return Error{std::move(message)};
}

/// Holds either a T or an Error. Accessing the wrong alternative is a bug (asserted).
template <class T>
class [[nodiscard]] Expected
{
public:
    Expected(T value) : m_v{std::in_place_index<0>, std::move(value)} {}
    Expected(Error error) : m_v{std::in_place_index<1>, std::move(error)} {}

    bool has_value() const { return m_v.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() &
    {
        assert(has_value());
        return std::get<0>(m_v);
    }
    const T& value() const&
    {
        assert(has_value());
        return std::get<0>(m_v);
    }
    T&& value() &&
    {
        assert(has_value());
        return std::get<0>(std::move(m_v));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const
    {
        assert(!has_value());
        return std::get<1>(m_v);
    }

private:
    std::variant<T, Error> m_v;
};

/// Expected<void>: success or an Error.
template <>
class [[nodiscard]] Expected<void>
{
public:
    Expected() = default;
    Expected(Error error) : m_error{std::move(error)}, m_ok{false} {}

    bool has_value() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error& error() const
    {
        assert(!m_ok);
        return m_error;
    }

private:
    Error m_error{};
    bool m_ok{true};
};

} // namespace util

// How operation values read their operands on Eigen: entries, as_matrix, to_double, eigen_kit (declared in ops/op_base.hpp).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <type_traits>

#include "../detail/vector_tanh.hpp"
#include "../expression.hpp"

namespace ctgrad::detail {

/// I{z > 0} entry by entry with a packet path: Eigen 3.4 runs a bool-to-double cast one scalar
/// at a time, which made relu's backward pass the slowest loop of the board net (callgrind).
struct step_indicator {
    double operator()(double z) const { return z > 0.0 ? 1.0 : 0.0; }

    template <class Packet>
    Packet packetOp(const Packet& z) const {
        using namespace Eigen::internal;
        return pand(pcmp_lt(pzero(z), z), pset1<Packet>(1.0));
    }
};

}  // namespace ctgrad::detail

template <>
struct Eigen::internal::functor_traits<ctgrad::detail::step_indicator> {
    enum { Cost = 2, PacketAccess = 1 };
};


namespace ctgrad::detail {

// How operation values read their operands (declared in ops/op_base.hpp).

template <class X>
static decltype(auto) entries(const X& x) {
    if constexpr (std::is_arithmetic_v<X>) {
        // An expression holding the number (a plain 1x1 array would be nested by reference and
        // die with this call).
        return Eigen::Array<double, 1, 1>::Constant(x);
    } else if constexpr (std::is_base_of_v<Eigen::ArrayBase<X>, X>) {
        return x;  // a reference: the caller's expression copies what it keeps
    } else {
        return x.array();
    }
}

template <class X>
static decltype(auto) as_matrix(const X& x) {
    if constexpr (std::is_arithmetic_v<X> || std::is_base_of_v<Eigen::MatrixBase<X>, X>) {
        return x;
    } else {
        return x.matrix();
    }
}

template <class X>
static decltype(auto) entries_read_often(const X& x) {
    if constexpr (std::is_arithmetic_v<X> || bool(Eigen::internal::traits<X>::Flags & Eigen::DirectAccessBit)) {
        return detail::entries(x);  // a view of memory (or x itself): reading it again costs nothing
    } else {
        return detail::entries(x).eval();
    }
}

/// A 1x1 value as a double: scalar steps (1/n, a sum, a loss) never build Eigen expressions,
/// which cost more to compile than the loops that use them.
template <class X>
static double to_double(const X& x) {
    if constexpr (std::is_arithmetic_v<X>) {
        return x;
    } else {
        return x.value();
    }
}

/// The few Eigen constructions operation values need (declared in ops/op_base.hpp).
template <class Any>
struct eigen_kit {
    template <class A>
    static auto step(const A& z) {
        return z.unaryExpr(step_indicator{});
    }

    /// tanh(z) entry by entry, vectorised (detail/vector_tanh.hpp).
    template <class A>
    static auto tanh(const A& z) {
        return z.unaryExpr(tanh_entries{});
    }

    /// The matrix a computed_whole operation writes (ops/op_base.hpp).
    template <int Rows, int Cols>
    using plain = Eigen::Matrix<double, Rows, Cols>;

    template <int Rows, int Cols>
    static auto filled(Eigen::Index rows, Eigen::Index cols, double v) {
        return Eigen::Matrix<double, Rows, Cols>::Constant(rows, cols, v);
    }

    /// Calls f(rows_of, column, first) for consecutive chunks of an n-row matrix, so values kept
    /// per row (a row's largest entry, its total) live on the stack, never on the heap: rows_of(m)
    /// is the chunk's rows of an n-row m, `column` a chunk-rows x 1 array for the caller to fill,
    /// `first` the chunk's first row. One chunk (static rows, or at most 256 run-time rows) is m
    /// itself: a whole column-major matrix is one contiguous, vectorised pass, where a block of a
    /// few rows is column by column (1.2 times the hand-written classifier at N = 1 and 8).
    template <int Rows, class F>
    static void for_row_chunks(Eigen::Index n, F&& f) {
        const auto whole = [](auto& m) -> auto& { return m; };
        if constexpr (Rows != dynamic) {
            Eigen::Array<double, Rows, 1> column;
            f(whole, column, Eigen::Index{0});
        } else {
            constexpr Eigen::Index chunk = 256;  // 2 KiB of stack a column
            Eigen::Array<double, Eigen::Dynamic, 1, Eigen::ColMajor, chunk, 1> column;
            if (n <= chunk) {
                column.resize(n);
                f(whole, column, Eigen::Index{0});
                return;
            }
            for (Eigen::Index first = 0; first < n; first += chunk) {
                const Eigen::Index count = std::min(chunk, n - first);
                column.resize(count);
                f([first, count](auto& m) { return m.middleRows(first, count); }, column, first);
            }
        }
    }

    template <int Rows, class M>
    static auto repeat_rows(const M& row, Eigen::Index rows) {
        if constexpr (Rows != dynamic) {
            return row.template replicate<Rows, 1>();
        } else {
            return row.replicate(rows, 1);
        }
    }
};

}  // namespace ctgrad::detail

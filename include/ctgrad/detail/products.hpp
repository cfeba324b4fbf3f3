// Stored matrix products, computed by Eigen's GEMM and GEMV kernels without Eigen's run-time
// fallbacks.
//
// Why: `dst.noalias() = A * B` instantiates, next to the kernel it will run, every path Eigen may
// switch to at run time: a coefficient-based product for tiny sizes (unrolled over a fixed inner
// size), a matrix-vector product for a batch of one row, and a dot product for 1x1 results. For
// the board net those fallbacks were 1.2 s of a 4.4 s translation unit, more than all of
// ctgrad's own templates. Here a product runs the same kernel Eigen would pick for it at the
// sizes the nets are used with, and tiny products run one small loop shared by every product
// of every formula. Results are the same up to rounding; docs/design.md ("Compile time").
#pragma once

#include "inlining.hpp"

#include <Eigen/Core>
#include <type_traits>

namespace ctgrad::detail {

/// An operand of a small product: entry (i, k) is at data[i * row_step + k * col_step].
struct strided_operand {
    const double* data;
    long row_step;
    long col_step;
};

/// dst += alpha a b by the definition, for products too small for a kernel to pay off (Eigen's
/// own threshold). Not a template: one copy serves every product.
inline void small_product(long rows, long cols, long depth, double alpha, strided_operand a, strided_operand b, double* dst,
                          long dst_row_step, long dst_col_step) {
    for (long j = 0; j < cols; ++j) {
        for (long i = 0; i < rows; ++i) {
            double s = 0.0;
            for (long k = 0; k < depth; ++k) s += a.data[i * a.row_step + k * a.col_step] * b.data[k * b.row_step + j * b.col_step];
            dst[i * dst_row_step + j * dst_col_step] += alpha * s;
        }
    }
}

/// Eigen::RowMajor or Eigen::ColMajor: how M's entries lie in memory.
template <class M>
static constexpr int storage_order_v = (int(M::Flags) & Eigen::RowMajorBit) != 0 ? Eigen::RowMajor : Eigen::ColMajor;

/// A direct-access matrix (plain, or a transposed plain one) as a strided operand.
template <class M>
strided_operand strided(const M& m) {
    const long outer = static_cast<long>(m.outerStride());
    if constexpr (storage_order_v<M> == Eigen::RowMajor) {
        return {m.data(), outer, 1};
    } else {
        return {m.data(), 1, outer};
    }
}

#ifdef EIGEN_VECTORIZE_AVX512
/// Lane b of the result: the sum of the lanes of acc[b]. A halving tree, 14 shuffles where
/// Eigen's 8 x 8 transpose takes 24 (the shuffle port is what bounds the kernel below).
inline __m512d sum_each(const __m512d* acc) {
    const auto pairs = [](__m512d a, __m512d b) { return _mm512_add_pd(_mm512_unpacklo_pd(a, b), _mm512_unpackhi_pd(a, b)); };
    const auto halves = [](__m512d a, __m512d b) { return _mm512_add_pd(_mm512_shuffle_f64x2(a, b, 0x88), _mm512_shuffle_f64x2(a, b, 0xDD)); };
    return halves(halves(pairs(acc[0], acc[1]), pairs(acc[2], acc[3])), halves(pairs(acc[4], acc[5]), pairs(acc[6], acc[7])));
}

/// y[i y_step] += alpha <row i of A, x> for an (m x k) matrix A with contiguous rows (step
/// row_step), m a multiple of 8, and a contiguous x: eight rows at a time, a packet of each row's
/// products summed per lane, and the eight packets reduced together by sum_each.
///
/// Why: this is a one-row batch times a column-major weight (X W at N = 1). Eigen's GEMV reduces
/// each row's partial sums on its own: for the board's 16 x 32 weight it took 2.4 times as long
/// as this kernel, for a 64 x 64 one 1.5 times (docs/design.md, "A one-row batch"). With four or
/// two lanes (AVX2, SSE2) the reduction saves less than it costs, and Eigen's kernel stays.
CTGRAD_ALWAYS_INLINE void add_row_dots(long m, long k, double alpha, const double* a, long row_step, const double* x, double* y,
                                        long y_step) {
    const long packets = k / 8;  // whole packets of a row; then one masked packet for the rest
    const __mmask8 rest = static_cast<__mmask8>((1u << (k % 8)) - 1u);
    const __m512d x_rest = _mm512_maskz_loadu_pd(rest, x + 8 * packets);
    for (long first = 0; first < m; first += 8) {
        const double* rows = a + first * row_step;
        __m512d acc[8];
        for (int b = 0; b < 8; ++b) acc[b] = _mm512_setzero_pd();
        for (long p = 0; p < packets; ++p) {
            const __m512d xp = _mm512_loadu_pd(x + 8 * p);
            for (int b = 0; b < 8; ++b) acc[b] = _mm512_fmadd_pd(_mm512_loadu_pd(rows + b * row_step + 8 * p), xp, acc[b]);
        }
        if (rest != 0) {
            for (int b = 0; b < 8; ++b) acc[b] = _mm512_fmadd_pd(_mm512_maskz_loadu_pd(rest, rows + b * row_step + 8 * packets), x_rest, acc[b]);
        }
        const __m512d sums = detail::sum_each(acc);
        if (y_step == 1) {
            _mm512_storeu_pd(y + first, _mm512_fmadd_pd(_mm512_set1_pd(alpha), sums, _mm512_loadu_pd(y + first)));
        } else {
            alignas(64) double sum[8];
            _mm512_store_pd(sum, sums);
            for (int b = 0; b < 8; ++b) y[(first + b) * y_step] += alpha * sum[b];
        }
    }
}
#endif

/// y += alpha A x by add_row_dots where it applies (AVX-512; A's rows and x contiguous; k at
/// least one packet; m whole blocks of eight rows: with a short last block, its accumulators
/// indexed at run time or its rows left to Eigen's kernel, the classifier's 64 x 10 was slower);
/// false, with nothing done, elsewhere.
inline bool add_row_dots_if_fit([[maybe_unused]] long m, [[maybe_unused]] long k, [[maybe_unused]] double alpha,
                                [[maybe_unused]] strided_operand a, [[maybe_unused]] const double* x, [[maybe_unused]] long x_step,
                                [[maybe_unused]] double* y, [[maybe_unused]] long y_step) {
#ifdef EIGEN_VECTORIZE_AVX512
    if (a.col_step == 1 && x_step == 1 && k >= 8 && m % 8 == 0) {
        detail::add_row_dots(m, k, alpha, a.data, a.row_step, x, y, y_step);
        return true;
    }
#endif
    return false;
}

/// y += alpha A x for an (m x k) matrix A, one of whose steps is 1, through Eigen's two GEMV
/// kernels; false, with nothing done, when the steps fit neither kernel. Not a template, so the
/// kernels are instantiated once for every product of every formula.
inline bool matrix_vector_kernel(long m, long k, double alpha, strided_operand a, const double* x, long x_step, double* y,
                                 long y_step) {
    using namespace Eigen::internal;
    using index = Eigen::Index;
    if (a.row_step == 1 && y_step == 1) {  // A column-major; the kernel writes y contiguously
        using lhs_mapper = const_blas_data_mapper<double, index, Eigen::ColMajor>;
        using rhs_mapper = const_blas_data_mapper<double, index, Eigen::RowMajor>;
        general_matrix_vector_product<index, double, lhs_mapper, Eigen::ColMajor, false, double, rhs_mapper, false>::run(
            m, k, lhs_mapper(a.data, a.col_step), rhs_mapper(x, x_step), y, 1, alpha);
        return true;
    }
    if (detail::add_row_dots_if_fit(m, k, alpha, a, x, x_step, y, y_step)) return true;
    if (a.col_step == 1 && x_step == 1) {  // A row-major; the kernel reads x contiguously
        using lhs_mapper = const_blas_data_mapper<double, index, Eigen::RowMajor>;
        using rhs_mapper = const_blas_data_mapper<double, index, Eigen::ColMajor>;
        general_matrix_vector_product<index, double, lhs_mapper, Eigen::RowMajor, false, double, rhs_mapper, false>::run(
            m, k, lhs_mapper(a.data, a.row_step), rhs_mapper(x, 1), y, y_step, alpha);
        return true;
    }
    return false;
}

/// The smaller of two sizes, a fixed one preferred to Eigen::Dynamic (Eigen's
/// EIGEN_SIZE_MIN_PREFER_FIXED, whose expansion only works inside namespace Eigen).
constexpr int min_size_prefer_fixed(int a, int b) {
    if (a == Eigen::Dynamic) return b;
    if (b == Eigen::Dynamic) return a;
    return a < b ? a : b;
}

/// dst += scale lhs rhs through Eigen's GEMM kernel (what Eigen runs for these operands once
/// the sizes are not tiny), or small_product when they are. dst has the product's shape.
template <class Dst, class Lhs, class Rhs>
void add_matrix_matrix_product(Dst& dst, const Lhs& lhs, const Rhs& rhs, double scale) {
    using namespace Eigen::internal;
    using lhs_traits = blas_traits<Lhs>;
    using rhs_traits = blas_traits<Rhs>;
    // The operands as matrices with direct access (an expression is evaluated into one).
    typename add_const_on_value_type<typename lhs_traits::DirectLinearAccessType>::type a = lhs_traits::extract(lhs);
    typename add_const_on_value_type<typename rhs_traits::DirectLinearAccessType>::type b = rhs_traits::extract(rhs);
    using a_type = typename remove_all<decltype(a)>::type;
    using b_type = typename remove_all<decltype(b)>::type;
    const double alpha = combine_scalar_factors(scale, lhs, rhs);

    const long rows = static_cast<long>(dst.rows()), cols = static_cast<long>(dst.cols()), depth = static_cast<long>(lhs.cols());
    if (rows == 0 || cols == 0 || depth == 0) return;
    constexpr bool dst_row_major = storage_order_v<Dst> == Eigen::RowMajor;
    if (rows + cols + depth < EIGEN_GEMM_TO_COEFFBASED_THRESHOLD) {
        const long outer = static_cast<long>(dst.outerStride());
        detail::small_product(rows, cols, depth, alpha, detail::strided(a), detail::strided(b), dst.data(), dst_row_major ? outer : 1,
                              dst_row_major ? 1 : outer);
        return;
    }
    const long dst_row_step = dst_row_major ? static_cast<long>(dst.outerStride()) : 1;
    const long dst_col_step = dst_row_major ? 1 : static_cast<long>(dst.outerStride());
    // A batch of one row, or a result of one column, known only at run time: a matrix-vector
    // product, as Eigen's own product switches to (the GEMM kernel would pack both operands for it).
    if (cols == 1) {
        const strided_operand sb = detail::strided(b);
        if (detail::matrix_vector_kernel(rows, depth, alpha, detail::strided(a), sb.data, sb.row_step, dst.data(), dst_row_step)) return;
    } else if (rows == 1) {
        // (1 x depth) (depth x cols) is, transposed, B^T (cols x depth) times a^T.
        const strided_operand sa = detail::strided(a), sb = detail::strided(b);
        if (detail::matrix_vector_kernel(cols, depth, alpha, {sb.data, sb.col_step, sb.row_step}, sa.data, sa.col_step, dst.data(),
                                         dst_col_step))
            return;
    }
    using blocking_type = gemm_blocking_space<storage_order_v<Dst>, double, double, Dst::MaxRowsAtCompileTime, Dst::MaxColsAtCompileTime,
                                              detail::min_size_prefer_fixed(Lhs::MaxColsAtCompileTime, Rhs::MaxRowsAtCompileTime)>;
    using kernel = general_matrix_matrix_product<Eigen::Index, double, storage_order_v<a_type>, bool(lhs_traits::NeedToConjugate), double,
                                                 storage_order_v<b_type>, bool(rhs_traits::NeedToConjugate), storage_order_v<Dst>,
                                                 Dst::InnerStrideAtCompileTime>;
    using functor = gemm_functor<double, Eigen::Index, kernel, a_type, b_type, Dst, blocking_type>;
    blocking_type blocking(dst.rows(), dst.cols(), lhs.cols(), 1, true);
    // Eigen's own entry: one thread unless the user enabled OpenMP.
    parallelize_gemm<(Dst::MaxRowsAtCompileTime > 32 || Dst::MaxRowsAtCompileTime == Eigen::Dynamic)>(
        functor(a, b, dst, alpha, blocking), lhs.rows(), rhs.cols(), lhs.cols(), dst_row_major);
}

/// dst += scale lhs rhs, one side a vector at compile time, through Eigen's GEMV kernel
/// (Eigen's product without its dot-product shortcut for 1x1 results at run time).
template <class Dst, class Lhs, class Rhs>
void add_matrix_vector_product(Dst& dst, const Lhs& lhs, const Rhs& rhs, double scale) {
    using namespace Eigen::internal;
    if constexpr (blas_traits<Lhs>::HasUsableDirectAccess && blas_traits<Rhs>::HasUsableDirectAccess) {
        // A one-row batch by add_row_dots where it fits: the matrix as a strided operand, the
        // vector by its own step (innerStride: a row of a column-major matrix is a vector whose
        // entries are an outer stride apart). Elsewhere Eigen's own path below, as before the kernel
        // (the classifier's 64 x 10 at N = 1 measured 1.04 against 1.19 through matrix_vector_kernel
        // once; paired runs of one binary also moved by 0.1, so this keeps the known path).
        const auto& a = blas_traits<Lhs>::extract(lhs);
        const auto& b = blas_traits<Rhs>::extract(rhs);
        const double alpha = combine_scalar_factors(scale, lhs, rhs);
        const long dst_step = static_cast<long>(dst.innerStride());
        bool done = false;
        if constexpr (Lhs::IsVectorAtCompileTime) {  // a B, that is (B^T a^T)^T
            const strided_operand sb = detail::strided(b);
            done = detail::add_row_dots_if_fit(static_cast<long>(b.cols()), static_cast<long>(b.rows()), alpha,
                                                {sb.data, sb.col_step, sb.row_step}, a.data(), static_cast<long>(a.innerStride()),
                                                dst.data(), dst_step);
        } else {
            done = detail::add_row_dots_if_fit(static_cast<long>(a.rows()), static_cast<long>(a.cols()), alpha, detail::strided(a),
                                                b.data(), static_cast<long>(b.innerStride()), dst.data(), dst_step);
        }
        if (done) return;
    }
    using lhs_nested = typename nested_eval<Lhs, 1>::type;
    using rhs_nested = typename nested_eval<Rhs, 1>::type;
    constexpr int side = Lhs::IsVectorAtCompileTime ? Eigen::OnTheLeft : Eigen::OnTheRight;
    using matrix_type = typename remove_all<std::conditional_t<side == Eigen::OnTheRight, lhs_nested, rhs_nested>>::type;
    lhs_nested actual_lhs(lhs);
    rhs_nested actual_rhs(rhs);
    gemv_dense_selector<side, storage_order_v<matrix_type>, bool(blas_traits<matrix_type>::HasUsableDirectAccess)>::run(
        actual_lhs, actual_rhs, dst, scale);
}

template <class T>
static constexpr bool is_eigen_product_v = false;
template <class Lhs, class Rhs>
static constexpr bool is_eigen_product_v<Eigen::Product<Lhs, Rhs, Eigen::DefaultProduct>> = true;

/// How Eigen computes lhs * rhs: Eigen::GemmProduct, Eigen::GemvProduct, ...
template <class Lhs, class Rhs>
static constexpr int product_kind_v = int(Eigen::internal::product_type<Lhs, Rhs>::value);

/// dst += Sign * product (Sign is 1 or -1), dst already of the product's shape.
template <int Sign, class Dst, class Lhs, class Rhs>
void add_product(Dst& dst, const Eigen::Product<Lhs, Rhs, Eigen::DefaultProduct>& product) {
    constexpr int kind = product_kind_v<Lhs, Rhs>;
    if constexpr (kind == Eigen::GemmProduct) {
        detail::add_matrix_matrix_product(dst, product.lhs(), product.rhs(), Sign);
    } else if constexpr (kind == Eigen::GemvProduct) {
        detail::add_matrix_vector_product(dst, product.lhs(), product.rhs(), Sign);
    } else if constexpr (Sign > 0) {
        dst.noalias() += product;  // small fixed sizes, outer and inner products: no fallbacks to skip
    } else {
        dst.noalias() -= product;
    }
}

/// dst = product, for an Eigen product expression of doubles; dst never aliases its operands.
template <class Dst, class Lhs, class Rhs>
void store_product(Dst& dst, const Eigen::Product<Lhs, Rhs, Eigen::DefaultProduct>& product) {
    if constexpr (product_kind_v<Lhs, Rhs> == Eigen::GemmProduct || product_kind_v<Lhs, Rhs> == Eigen::GemvProduct) {
        dst.resize(product.rows(), product.cols());
        dst.setZero();
        detail::add_product<1>(dst, product);
    } else {
        dst.noalias() = product;
    }
}

template <class T>
static constexpr bool is_outer_product_v = false;
template <class Lhs, class Rhs>
static constexpr bool is_outer_product_v<Eigen::Product<Lhs, Rhs, Eigen::LazyProduct>> = Lhs::ColsAtCompileTime == 1;

/// dst = a b for a column a and a row b (matmul_op's entry-by-entry outer product, stored):
/// column by column, each a scaled copy of a (row by row for a row-major dst), as Eigen's
/// outer-product kernel. Assigning the lazy product instead runs its coefficient loop, which
/// executes half as many instructions again (the two 64 x 64 weight gradients of a one-row batch).
template <class Dst, class Lhs, class Rhs>
void store_outer_product(Dst& dst, const Eigen::Product<Lhs, Rhs, Eigen::LazyProduct>& product) {
    const auto& a = product.lhs();
    const auto& b = product.rhs();
    dst.resize(a.rows(), b.cols());
    if constexpr (storage_order_v<Dst> == Eigen::RowMajor) {
        for (Eigen::Index i = 0; i < dst.rows(); ++i) dst.row(i) = a(i, 0) * b;
    } else {
        for (Eigen::Index j = 0; j < dst.cols(); ++j) dst.col(j) = b(0, j) * a;
    }
}

/// An operand as an Eigen array of a product: operations read matrices entry by entry through
/// ArrayWrapper (see entries() in evaluation/operands.hpp).
template <class T>
static constexpr bool is_product_entries_v = false;
template <class P>
static constexpr bool is_product_entries_v<Eigen::ArrayWrapper<const P>> = is_eigen_product_v<P>;

template <class T>
static constexpr bool is_sum_with_product_v = false;
template <class F, class A, class B>
static constexpr bool is_sum_with_product_v<Eigen::CwiseBinaryOp<F, const A, const B>> =
    (std::is_same_v<F, Eigen::internal::scalar_sum_op<double, double>> ||
     std::is_same_v<F, Eigen::internal::scalar_difference_op<double, double>>) &&
    (is_product_entries_v<A> || is_product_entries_v<B>);

/// dst = P + X, X + P, P - X or X - P for a product P: X first, then P added by its kernel, so
/// P needs no storage of its own and the sum no pass of its own (the lecture's X W + b^T).
/// Two products: the first stored, the second added.
template <class Dst, class F, class A, class B>
void store_sum_with_product(Dst& dst, const Eigen::CwiseBinaryOp<F, const A, const B>& sum) {
    constexpr bool subtract = std::is_same_v<F, Eigen::internal::scalar_difference_op<double, double>>;
    if constexpr (is_product_entries_v<A> && is_product_entries_v<B>) {
        detail::store_product(dst, sum.lhs().nestedExpression());
        detail::add_product<subtract ? -1 : 1>(dst, sum.rhs().nestedExpression());
    } else if constexpr (is_product_entries_v<A>) {
        if constexpr (subtract) {
            dst.array() = -sum.rhs();
        } else {
            dst.array() = sum.rhs();
        }
        detail::add_product<1>(dst, sum.lhs().nestedExpression());
    } else {
        dst.array() = sum.lhs();
        detail::add_product<subtract ? -1 : 1>(dst, sum.rhs().nestedExpression());
    }
}

}  // namespace ctgrad::detail

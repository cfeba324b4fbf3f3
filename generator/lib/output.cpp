// The output stage: the texts ctgrad-gen prints itself (usage; derivations are printed by the
// programs, through ctgrad).
#include "commands.hpp"

namespace ctgrad::gen {

std::string usage() {
    return R"(ctgrad-gen: derive, check and export gradients of network formulas with ctgrad

usage:
  ctgrad-gen derive '<formula>' [--wrt W1,b1,...] [--format latex|markdown|text|json] [--standalone]
  ctgrad-gen check  '<formula>' --wrt W2 --claim '<expression>'
  ctgrad-gen emit   '<formula>' --name NAME [--wrt ...]
  ctgrad-gen lecture [NAME] [--format ...] [--standalone] [--wrt ...]
                                                the lecture's formulas (board, linear, logistic, ...)
  ctgrad-gen shapes '<formula>'                 the inferred shapes, without compiling
  ctgrad-gen cache [clear]                      where compiled programs are kept
  ctgrad-gen config                             the compiler, flags and headers programs use
options for formulas (an option the command does not use is an error):
  --dims 'X=n,d W1=d,H b1=H'   shapes: sizes (3), names (d, H) or n, the batch; b1=H is H x 1
                               (not for lecture: its formulas come with their shapes)
  --data X,Y                   the data variables (default X and Y): their rows are the batch n,
                               and derive/emit differentiate every other variable by default
  --verbose                    report compiling and cache hits on stderr (not for shapes)
  --standalone                 a complete LaTeX document (with --format latex)
  --                           ends the options: a formula after it may start with '-'
formulas:
  + - * / (* is the matrix product; a number or 1x1 factor scales), .* or hadamard(A, B),
  A^T or transpose(A), Z^2 or square(Z), relu/ReLU, tanh, sigmoid/sigma/σ, exp, log, softplus,
  step, identity, sum, mean, column_sums, count, mse(yhat, Y), bce(p, Y).
  Names: W1 is W_1, b2 is b_2, yhat is \hat{y}; in claims also Z1, A1, Z2, yhat (the
  intermediates derive names) and n (the batch size).
  Example: ctgrad-gen derive 'mse(tanh(relu(X*W1 + b1^T)*W2 + b2^T), Y)' --format text
exit codes: 0 done (a correct claim), 1 a wrong claim, 2 an error in the input, 3 a failure of
  the tool (the compiler, the cache)
)";
}

}  // namespace ctgrad::gen

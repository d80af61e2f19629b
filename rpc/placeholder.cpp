// Removed once the first rpc sources land (issue 5).
namespace rpc {
}

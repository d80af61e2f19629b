// minibit-cli: the command-line RPC client. Everything lives in rpc::cli::CliMain.
#include <rpc/cli.h>

#include <iostream>

int main(int argc, char* argv[])
{
    return rpc::cli::CliMain(argc, argv, std::cin, std::cout, std::cerr);
}

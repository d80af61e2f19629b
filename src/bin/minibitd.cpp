// minibitd: the full-node daemon. Everything lives in node::AppMain.
#include <node/init.h>

#include <iostream>

int main(int argc, char* argv[])
{
    return node::AppMain(argc, argv, std::cout, std::cerr);
}

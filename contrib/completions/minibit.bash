# Bash completion for minibitd, minibit-cli and minibit-localnet: options as each program's
# own help lists them, values of a few options (networks, debug categories, files,
# directories, wallets), RPC method names from a node that answers (minibit-cli), and
# commands (minibit-localnet). Needs nothing but bash.
#
#   source contrib/completions/minibit.bash
#
# or, for bash-completion, install a copy under each program's name:
#   for p in minibitd minibit-cli minibit-localnet; do
#       cp contrib/completions/minibit.bash /usr/share/bash-completion/completions/$p; done

# sed prefixes each line of a candidate list (SC2001 would apply to one line only).
# shellcheck disable=SC2001

# The words of the command line before the cursor (in `words`) and the word being completed
# (in `cur`), split at white space only, so "-chain=reg" stays one word. Both are the
# caller's locals.
_minibit_words() {
    local line=${COMP_LINE:0:COMP_POINT}
    read -r -a words <<<"$line"
    if [[ -z $line || $line == *[[:space:]] ]]; then
        cur=""
    else
        cur=${words[-1]}
        unset 'words[-1]'
    fi
}

# The program named by the first word, with a leading ~ expanded.
_minibit_program() {
    local program=${words[0]}
    printf '%s\n' "${program/#\~/$HOME}"
}

# COMPREPLY from newline-separated candidates matching `cur`. When readline splits words at
# '=' (the default) only the part after the last '=' of `cur` is replaced, so that part is
# what COMPREPLY holds; an option ending in '=' takes no space after it.
_minibit_reply() {
    local IFS=$'\n'
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
    if [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]]; then
        local head=${cur%=*}=
        COMPREPLY=("${COMPREPLY[@]#"$head"}")
    fi
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

# COMPREPLY from the files (-f) or directories (-d) matching the value after '=' in `cur`.
_minibit_reply_paths() {
    local value=${cur#*=} head=${cur%%=*}=
    mapfile -t COMPREPLY < <(compgen "$1" -- "$value")
    if [[ $COMP_WORDBREAKS != *=* ]]; then
        COMPREPLY=("${COMPREPLY[@]/#/$head}")
    fi
    compopt -o filenames 2>/dev/null
    return 0
}

# Options listed by "$1 -help", one a line: "-name" or "-name=" for those taking a value.
_minibit_help_options() {
    "$1" -help 2>/dev/null | sed -n 's/^  \(-[a-z][a-z0-9-]*\)\(=\)\{0,1\}.*/\1\2/p'
}

_minibitd() {
    local cur
    local -a words
    _minibit_words
    local program
    program=$(_minibit_program)
    case $cur in
    -chain=*)
        _minibit_reply "$(printf -- '-chain=%s\n' main test testnet4 signet regtest)"
        ;;
    -datadir=* | -walletdir=*)
        _minibit_reply_paths -d
        ;;
    -conf=* | -loadblock=* | -debuglogfile=* | -pid=* | -rpccookiefile=*)
        _minibit_reply_paths -f
        ;;
    -debug=* | -debugexclude=*)
        # The categories are named in -debug's help text: "Known categories: a, b, ... z."
        local categories
        categories=$(
            printf '%s\n' 1 all none
            "$program" -help 2>/dev/null | tr -s ' \n' '  ' |
                sed -n 's/.*Known categories: \([^.]*\)\..*/\1/p' | tr -d ',' | tr ' ' '\n'
        )
        _minibit_reply "$(sed "s/^/${cur%%=*}=/" <<<"$categories")"
        ;;
    -*)
        _minibit_reply "$(_minibit_help_options "$program")"
        ;;
    *)
        COMPREPLY=()
        ;;
    esac
    return 0
}


# Options of minibit-cli that say which node to ask and how to log in, passed on when the
# completion itself asks the node (help, listwallets).
_minibit_cli_connection() {
    local word
    for word in "$@"; do
        case $word in
        -datadir=* | -conf=* | -chain=* | -regtest | -testnet | -testnet4 | -signet | \
            -rpcconnect=* | -rpcport=* | -rpcuser=* | -rpcpassword=* | -rpccookiefile=*)
            printf '%s\n' "$word"
            ;;
        esac
    done
}

_minibit_cli() {
    local cur
    local -a words
    _minibit_words
    local program
    program=$(_minibit_program)
    # Options come before the method; the first other word is the method.
    local -a options=() args=()
    local method="" i
    for ((i = 1; i < ${#words[@]}; i++)); do
        if [[ -z $method && ${words[i]} == -* ]]; then
            options+=("${words[i]}")
        elif [[ -z $method ]]; then
            method=${words[i]}
        else
            args+=("${words[i]}")
        fi
    done
    local -a connection
    mapfile -t connection < <(_minibit_cli_connection "${options[@]}")
    case $cur in
    -chain=*)
        _minibit_reply "$(printf -- '-chain=%s\n' main test testnet4 signet regtest)"
        ;;
    -color=*)
        _minibit_reply "$(printf -- '-color=%s\n' always auto never)"
        ;;
    -datadir=*)
        _minibit_reply_paths -d
        ;;
    -conf=* | -rpccookiefile=*)
        _minibit_reply_paths -f
        ;;
    -rpcwallet=*)
        local wallets
        wallets=$("$program" "${connection[@]}" -rpcclienttimeout=5 listwallets 2>/dev/null |
            sed -n 's/^  "\(.*\)",\{0,1\}$/\1/p')
        if [[ -n $wallets ]]; then
            _minibit_reply "$(sed 's/^/-rpcwallet=/' <<<"$wallets")"
        fi
        ;;
    -*)
        if [[ -z $method ]]; then
            _minibit_reply "$(_minibit_help_options "$program")"
        else
            COMPREPLY=()
        fi
        ;;
    *)
        # A method name: the first word after the options, or the argument of "help".
        if [[ -z $method || ($method == help && ${#args[@]} -eq 0) ]]; then
            local methods
            methods=$("$program" "${connection[@]}" -rpcclienttimeout=5 help 2>/dev/null |
                sed -n 's/^\([a-z][a-z0-9]*\).*/\1/p')
            _minibit_reply "$methods"
        else
            COMPREPLY=()
        fi
        ;;
    esac
    return 0
}

# Options of "minibit-localnet [COMMAND] --help": "--name" or "--name=" for those taking a
# value.
_minibit_localnet_options() {
    "$@" --help 2>/dev/null | grep -E '^  -' | grep -oE -- '--[a-z][a-z-]*( [^ ,]+)?' |
        sed -e 's/ .*/=/'
}

_minibit_localnet() {
    local cur
    local -a words
    _minibit_words
    local program
    program=$(_minibit_program)
    # The command is the first word that is neither an option nor the value of --dir/--bin-dir.
    local command="" i
    for ((i = 1; i < ${#words[@]}; i++)); do
        case ${words[i]} in
        --dir | --bin-dir) ((i++)) ;;
        -*) ;;
        *)
            command=${words[i]}
            break
            ;;
        esac
    done
    local previous=""
    ((${#words[@]} > 1)) && previous=${words[-1]}
    if [[ $previous == --dir || $previous == --bin-dir ]]; then
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        compopt -o filenames 2>/dev/null
        return 0
    fi
    case $cur in
    --dir=* | --bin-dir=*)
        _minibit_reply_paths -d
        ;;
    --topology=*)
        local topologies
        topologies=$("$program" up --help 2>/dev/null |
            sed -n 's/.*--topology {\([^}]*\)}.*/\1/p' | head -n 1 | tr ',' '\n')
        _minibit_reply "$(sed 's/^/--topology=/' <<<"$topologies")"
        ;;
    -*)
        if [[ -z $command ]]; then
            _minibit_reply "$(_minibit_localnet_options "$program")"
        else
            _minibit_reply "$(_minibit_localnet_options "$program" "$command")"
        fi
        ;;
    *)
        if [[ -z $command ]]; then
            # The commands listed under "positional arguments" of --help.
            local commands
            commands=$("$program" --help 2>/dev/null | sed -n 's/^    \([a-z][a-z-]*\) .*/\1/p')
            _minibit_reply "$commands"
        else
            COMPREPLY=()
        fi
        ;;
    esac
    return 0
}

complete -F _minibitd minibitd
complete -F _minibit_cli minibit-cli
complete -F _minibit_localnet minibit-localnet

package io.pbkv.cli;

import java.util.Arrays;
import java.util.stream.Collectors;

/** {@code pbkv --help} and the prompt's {@code HELP}. */
final class HelpText {

	private HelpText() {
	}

	static String usage() {
		return """
				pbkv: the command-line client of a pbkv primary-backup cluster

				Usage:
				  pbkv [options] set KEY VALUE     store VALUE (as UTF-8); VALUE - stores stdin byte for byte
				  pbkv [options] get KEY           print the value's bytes as stored
				  pbkv [options] del KEY           delete the key
				  pbkv [options] dump [PREFIX]     list keys (starting with PREFIX) with versions and values
				  pbkv [options] watch [PREFIX]    print each change under PREFIX as it commits, across failovers,
				                                   until stopped: VERSION put KEY VALUE, VERSION del KEY
				  pbkv [options] cluster           each node's role, epoch, log indexes and reachability
				  pbkv [options]                   an interactive prompt (SET, GET, DEL, DUMP, CLUSTER, EXIT)
				  pbkv token new ROLE PREFIX       a new random client token and its line for the tokens file
				                                   (ROLE read, write or admin; PREFIX '*' for every key)
				  pbkv version                     the client's version (also --version, -V)
				  pbkv completion bash             a bash completion script: source <(pbkv completion bash)

				Options:
				  --nodes URL,URL    the nodes to ask for the primary (default: $%s, else
				                     http://localhost:8081,http://localhost:8082 as bin/cluster starts them)
				  --cacert FILE      trust the CA certificates in this PEM file for https nodes, instead of
				                     the JVM's trust store (default: $PBKV_CACERT)
				  --if-version N     set/del only if the key is at version N (If-Match)
				  --create           set only if the key does not exist (If-None-Match: *)
				  --since N          watch from after version N (a dump's version) instead of from now
				  --retries N        retries after a 503 or an unreachable node (default %d), with exponential
				                     backoff and jitter; the primary is looked up again before each one
				  --timeout T        how long one request may take: 500ms, 10s, 2m (default %ds)
				  --retry-unknown    after a 504 (outcome unknown), repeat an unconditional set/del instead of
				                     stopping; a conditional one (--if-version, --create) is never repeated
				  -o, --output FMT   text (the default) or json: one JSON document per command on stdout
				                     (watch: one JSON object per change and line); errors stay text on stderr
				  -q, --quiet        no confirmations, no retry notices (errors are still printed)
				  -h, --help         this text
				  --                 the end of the options: a key or value may then start with -

				With client authentication on (kv.security.tokens-file), set PBKV_TOKEN to the token: every
				request sends it as Authorization: Bearer.

				Results go to stdout, diagnostics to stderr. Exit codes:
				%s
				""".formatted(CommandLine.NODES_ENV, ClientOptions.DEFAULT_RETRIES,
				ClientOptions.DEFAULT_TIMEOUT.toSeconds(), exitCodes());
	}

	static String prompt() {
		return """
				SET key value     store the rest of the line as the value
				GET key           show the value
				DEL key           delete the key
				DUMP [prefix]     list keys with versions and values
				CLUSTER           each node's role, epoch, log indexes and reachability
				HELP              this text
				EXIT, QUIT        leave (so does end of input)
				""";
	}

	/** Completes commands and options, and the values of -o; keys are not completed (that would need a cluster). */
	static String bashCompletion() {
		return """
				# bash completion for pbkv: source <(pbkv completion bash), or save it under
				# /etc/bash_completion.d/pbkv (zsh: autoload bashcompinit && bashcompinit first)
				_pbkv() {
				  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
				  case $prev in
				    -o|--output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
				    completion) COMPREPLY=($(compgen -W "bash" -- "$cur")); return ;;
				    --nodes|--cacert|--retries|--timeout|--if-version|--since) return ;;
				  esac
				  if [[ $cur == -* ]]; then
				    COMPREPLY=($(compgen -W "--nodes --cacert --if-version --create --since --retries --timeout --retry-unknown \\
				      -o --output -q --quiet -h --help -V --version --" -- "$cur"))
				  else
				    COMPREPLY=($(compgen -W "set get del dump watch cluster token version completion help" -- "$cur"))
				  fi
				}
				complete -F _pbkv pbkv
				""";
	}

	private static String exitCodes() {
		return Arrays.stream(ExitCode.values())
			.map(c -> "  %d  %s".formatted(c.code(), c.meaning()))
			.collect(Collectors.joining("\n"));
	}

}

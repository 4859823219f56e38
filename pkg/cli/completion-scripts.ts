/** The shells `completion <shell>` writes a script for. */
export type Shell = 'bash' | 'zsh' | 'fish';

export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

/**
 * The completion script of `kubectl-<plugin>` for a shell. Each script asks the program
 * itself, `kubectl-<plugin> __complete <words…>`, which prints one candidate a line
 * (`name<TAB>description`) and then `:<directive>` as cobra does; directive bit 4 means
 * "no file names". `kubectl <plugin> <TAB>` needs no script of ours: kubectl's own
 * completion runs the `kubectl_complete-<plugin>` shim, which asks the same question.
 */
export function completionScript(shell: Shell, plugin: string): string {
  return SCRIPTS[shell](plugin, `kubectl-${plugin}`, `_kubectl_${plugin}`);
}

const SCRIPTS: Record<Shell, (plugin: string, bin: string, fn: string) => string> = {
  bash: (plugin, bin, fn) => `# bash completion for ${bin}. Load it with:  source <(${bin} completion bash)
# For \`kubectl ${plugin} <TAB>\` (kubectl >= 1.26), put kubectl_complete-${plugin} on PATH instead.
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" out directive line
  out="$(${bin} __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" || return 0
  directive="\${out##*:}"
  out="\${out%:*}"
  COMPREPLY=()
  while IFS= read -r line; do
    [ -n "$line" ] && COMPREPLY+=("\${line%%$'\\t'*}")
  done <<<"$out"
  if [ \${#COMPREPLY[@]} -eq 0 ] && [ $(( directive & 4 )) -eq 0 ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F ${fn} ${bin}
`,
  zsh: (plugin, bin, fn) => `#compdef ${bin}
# zsh completion for ${bin}. Load it with:  source <(${bin} completion zsh)
# For \`kubectl ${plugin} <TAB>\` (kubectl >= 1.26), put kubectl_complete-${plugin} on PATH instead.
${fn}() {
  local out directive line name desc
  local -a lines comps
  out="$(${bin} __complete "\${(@)words[2,$CURRENT]}" 2>/dev/null)" || return 1
  lines=("\${(@f)out}")
  directive="\${lines[-1]#:}"
  lines=("\${(@)lines[1,-2]}")
  for line in "\${lines[@]}"; do
    [[ -z $line ]] && continue
    name="\${line%%$'\\t'*}"
    desc=""
    [[ $line == *$'\\t'* ]] && desc="\${line#*$'\\t'}"
    comps+=("\${name//:/\\\\:}\${desc:+:$desc}")
  done
  if (( \${#comps} > 0 )); then
    _describe -t values '${plugin}' comps
  elif (( (directive & 4) == 0 )); then
    _files
  fi
}
compdef ${fn} ${bin}
`,
  fish: (plugin, bin, fn) => `# fish completion for ${bin}. Load it with:  ${bin} completion fish | source
# For \`kubectl ${plugin} <TAB>\` (kubectl >= 1.26), put kubectl_complete-${plugin} on PATH instead.
function ${fn}
    set -l words (commandline -opc) (commandline -ct)
    set -l out (${bin} __complete $words[2..-1] 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test (count $out) -gt 0
        printf '%s\\n' $out
    else if test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path (commandline -ct)
    end
end
complete -c ${bin} -f -a '(${fn})'
`,
};

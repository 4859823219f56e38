{{- define "trio.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: trio
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

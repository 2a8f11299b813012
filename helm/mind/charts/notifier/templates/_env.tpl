{{- define "notifier.env" -}}
{{ include "common.env.platform" . }}
{{ include "common.env.database" . }}
{{ include "common.env.redis" . }}
- name: MIND_NOTIFIER_HOST
  value: "0.0.0.0"
{{- end -}}

{{- define "notifier.volumeMounts" -}}

{{- end -}}

{{- define "notifier.volumes" -}}

{{- end -}}

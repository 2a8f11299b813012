{{- define "recording.env" -}}
{{ include "common.env.platform" . }}
{{ include "common.env.redis" . }}
{{ include "common.env.storage" . }}
- name: MIND_RECORDING_CONCURRENCY
  value: {{ .Values.concurrency | quote }}
{{- end -}}

{{- define "recording.volumeMounts" -}}
{{ include "common.storageMount" . }}
{{- end -}}

{{- define "recording.volumes" -}}
{{ include "common.storageVolume" . }}
{{- end -}}

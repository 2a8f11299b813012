{{- define "conference.env" -}}
{{ include "common.env.platform" . }}
{{ include "common.env.database" . }}
{{ include "common.env.redis" . }}
{{ include "common.env.storage" . }}
- name: MIND_MEDIA_SPREAD_ABOVE
  value: {{ .Values.spreadAbove | quote }}
{{- end -}}

{{- define "conference.volumeMounts" -}}
{{ include "common.storageMount" . }}
{{- end -}}

{{- define "conference.volumes" -}}
{{ include "common.storageVolume" . }}
{{- end -}}

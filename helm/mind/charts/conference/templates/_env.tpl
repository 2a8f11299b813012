{{- define "conference.env" -}}
{{ include "common.env.platform" . }}
{{ include "common.env.database" . }}
{{ include "common.env.redis" . }}
{{ include "common.env.storage" . }}
- name: MIND_MEDIA_SPREAD_ABOVE
  value: {{ .Values.spreadAbove | quote }}
{{- if .Values.api.enabled }}
- name: MIND_CONFERENCE_API_PORT
  value: {{ .Values.api.port | quote }}
- name: MIND_NOTIFIER_URL
  value: {{ include "common.serviceUrl" (list . "notifier" 8082) | quote }}
{{- with .Values.trustProxy }}
- name: MIND_HTTP_TRUST_PROXY
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "conference.volumeMounts" -}}
{{ include "common.storageMount" . }}
{{- end -}}

{{- define "conference.volumes" -}}
{{ include "common.storageVolume" . }}
{{- end -}}

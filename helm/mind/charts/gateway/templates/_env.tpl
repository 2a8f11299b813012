{{- define "gateway.env" -}}
{{ include "common.env.platform" . }}
{{ include "common.env.database" . }}
{{ include "common.env.redis" . }}
{{ include "common.env.storage" . }}
- name: MIND_NOTIFIER_URL
  value: {{ include "common.serviceUrl" (list . "notifier" 8082) | quote }}
{{- with .Values.trustProxy }}
- name: MIND_HTTP_TRUST_PROXY
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{- define "gateway.volumeMounts" -}}
{{ include "common.storageMount" . }}
{{- end -}}

{{- define "gateway.volumes" -}}
{{ include "common.storageVolume" . }}
{{- end -}}

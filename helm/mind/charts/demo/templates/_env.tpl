{{- define "demo.env" -}}
- name: MIND_ENV
  value: {{ .Values.global.environment | quote }}
- name: LOG_LEVEL
  value: {{ .Values.global.logLevel | quote }}
- name: MIND_HTTP_HOST
  value: "0.0.0.0"
- name: MIND_DEMO_API_URL
  value: {{ required "demo.apiUrl (the public API's URL) is required" .Values.apiUrl | quote }}
# The demo's application: created with the operator CLI, its id and token kept in the Secret.
{{ include "common.secretEnv" (list . "MIND_DEMO_APPLICATION_ID" false) }}
{{ include "common.secretEnv" (list . "MIND_DEMO_APPLICATION_TOKEN" false) }}
{{- end -}}

{{- define "demo.volumeMounts" -}}
{{- end -}}

{{- define "demo.volumes" -}}
{{- end -}}

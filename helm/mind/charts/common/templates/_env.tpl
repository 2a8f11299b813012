{{/* A variable from the platform's Secret; `optional` ones may be absent from an operator's own Secret. */}}
{{- define "common.secretEnv" -}}
{{- $ := index . 0 -}}
- name: {{ index . 1 }}
  valueFrom:
    secretKeyRef:
      name: {{ include "common.secretName" $ }}
      key: {{ index . 1 }}
      optional: {{ index . 2 }}
{{- end -}}

{{/* What every service reads: environment, logging, listening on the pod's addresses, NATS, telemetry. */}}
{{- define "common.env.platform" -}}
{{- $g := .Values.global -}}
- name: MIND_ENV
  value: {{ $g.environment | quote }}
- name: LOG_LEVEL
  value: {{ $g.logLevel | quote }}
- name: MIND_HTTP_HOST
  value: "0.0.0.0"
- name: NATS_URL
  value: {{ $g.nats.url | quote }}
- name: MIND_NATS_PREFIX
  value: {{ $g.nats.prefix | quote }}
{{ include "common.secretEnv" (list . "MIND_NATS_USER" true) }}
{{ include "common.secretEnv" (list . "MIND_NATS_PASSWORD" true) }}
{{- with $g.telemetry.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ $g.telemetry.otlpProtocol | quote }}
{{- end }}
{{- end -}}

{{- define "common.env.database" -}}
{{ include "common.secretEnv" (list . "DATABASE_URL" false) }}
{{- end -}}

{{- define "common.env.redis" -}}
{{ include "common.secretEnv" (list . "REDIS_URL" false) }}
{{- end -}}

{{/* Recordings: an S3-compatible bucket, or a volume every reader and writer mounts at /var/lib/mind/storage. */}}
{{- define "common.env.storage" -}}
{{- $storage := .Values.global.storage -}}
- name: MIND_STORAGE
  value: {{ $storage.kind | quote }}
{{- if eq $storage.kind "s3" }}
- name: MIND_S3_ENDPOINT
  value: {{ required "global.storage.s3.endpoint is required with storage kind s3" $storage.s3.endpoint | quote }}
- name: MIND_S3_BUCKET
  value: {{ required "global.storage.s3.bucket is required with storage kind s3" $storage.s3.bucket | quote }}
- name: MIND_S3_REGION
  value: {{ $storage.s3.region | quote }}
{{ include "common.secretEnv" (list . "MIND_S3_ACCESS_KEY_ID" false) }}
{{ include "common.secretEnv" (list . "MIND_S3_SECRET_ACCESS_KEY" false) }}
{{- else }}
- name: MIND_STORAGE_DIR
  value: /var/lib/mind/storage
{{- end }}
{{- end -}}

{{- define "common.storageMount" -}}
{{- if eq .Values.global.storage.kind "local" }}
- name: storage
  mountPath: /var/lib/mind/storage
{{- end }}
{{- end -}}

{{- define "common.storageVolume" -}}
{{- if eq .Values.global.storage.kind "local" }}
- name: storage
  persistentVolumeClaim:
    claimName: {{ required "global.storage.local.claimName (a ReadWriteMany claim) is required with storage kind local" .Values.global.storage.local.claimName }}
{{- end }}
{{- end -}}

{{- define "conference.env" -}}
{{ include "common.env.platform" . }}
{{ include "common.env.database" . }}
{{ include "common.env.redis" . }}
{{ include "common.env.storage" . }}
{{- end -}}

{{- define "conference.volumeMounts" -}}
{{ include "common.storageMount" . }}
{{- end -}}

{{- define "conference.volumes" -}}
{{ include "common.storageVolume" . }}
{{- end -}}

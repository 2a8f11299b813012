{{/* "<release>-<service>", at most 63 characters. */}}
{{- define "common.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select a service's pods. */}}
{{- define "common.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "common.labels" -}}
{{ include "common.selectorLabels" . }}
app.kubernetes.io/part-of: mind
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The service's image: <registry>/<service>:<tag>, as `npm run images` names them. */}}
{{- define "common.image" -}}
{{- $image := .Values.global.image -}}
{{- printf "%s/%s:%s" $image.registry .Chart.Name (default .Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* The Secret holding the platform's credentials: the operator's own, or the chart's. */}}
{{- define "common.secretName" -}}
{{- default (printf "%s-mind" .Release.Name | trunc 63 | trimSuffix "-") .Values.global.existingSecret -}}
{{- end -}}

{{/* Where another service of the release answers, e.g. include "common.serviceUrl" (list . "notifier" 8082). */}}
{{- define "common.serviceUrl" -}}
{{- $ := index . 0 -}}
{{- printf "http://%s-%s:%v" $.Release.Name (index . 1) (index . 2) -}}
{{- end -}}

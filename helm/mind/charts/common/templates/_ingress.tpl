{{/*
The public entry of the API: an Ingress to the chart's Service port named http (a gateway, or a
conference service that serves the API itself), when .Values.ingress.enabled.
*/}}
{{- define "common.ingress" -}}
{{- if .Values.ingress.enabled }}
{{- $fullname := include "common.fullname" . }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
  {{- with .Values.ingress.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .Values.ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- if .Values.ingress.tls.secretName }}
  tls:
    - hosts:
        - {{ required (printf "%s.ingress.host is required with TLS" .Chart.Name) .Values.ingress.host | quote }}
      secretName: {{ .Values.ingress.tls.secretName }}
  {{- end }}
  rules:
    - {{- with .Values.ingress.host }}
      host: {{ . | quote }}
      {{- end }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {{ $fullname }}
                port:
                  name: http
{{- end }}
{{- end -}}

{{- define "sip.env" -}}
{{ include "common.env.platform" . }}
- name: MIND_SIP_GATEWAY_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: MIND_SIP_LISTEN_IP
  value: "0.0.0.0"
- name: MIND_SIP_PORT
  value: {{ .Values.sipPort | quote }}
- name: MIND_SIP_ANNOUNCED_ADDRESS
{{- if .Values.announcedAddress }}
  value: {{ .Values.announcedAddress | quote }}
{{- else }}
  valueFrom:
    fieldRef:
      fieldPath: status.hostIP
{{- end }}
- name: MIND_SIP_RTP_MIN_PORT
  value: {{ .Values.rtpPorts.min | quote }}
- name: MIND_SIP_RTP_MAX_PORT
  value: {{ .Values.rtpPorts.max | quote }}
# Media nodes send each call's audio to the pod's own address.
- name: MIND_SIP_MEDIA_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{ include "common.secretEnv" (list . "MIND_SIP_USERNAME" true) }}
{{ include "common.secretEnv" (list . "MIND_SIP_PASSWORD" true) }}
{{- end -}}

{{- define "sip.volumeMounts" -}}
{{- end -}}

{{- define "sip.volumes" -}}
{{- end -}}

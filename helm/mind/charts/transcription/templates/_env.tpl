{{- define "transcription.env" -}}
{{ include "common.env.platform" . }}
- name: MIND_TRANSCRIBER_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: MIND_TRANSCRIPTION_LISTEN_IP
  value: "0.0.0.0"
# Media nodes send each voice's RTP to the pod's own address.
- name: MIND_TRANSCRIPTION_ANNOUNCED_ADDRESS
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: MIND_TRANSCRIPTION_ENGINE
  value: {{ .Values.engine | quote }}
{{- with .Values.models }}
- name: MIND_TRANSCRIPTION_MODELS
  value: {{ . | quote }}
{{- end }}
- name: MIND_TRANSCRIPTION_MAX_STREAMS
  value: {{ .Values.maxStreams | quote }}
{{- end -}}

{{- define "transcription.volumeMounts" -}}
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "transcription.volumes" -}}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}

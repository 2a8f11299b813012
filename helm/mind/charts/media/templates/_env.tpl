{{- define "media.env" -}}
{{ include "common.env.platform" . }}
{{ include "common.env.database" . }}
{{ include "common.env.redis" . }}
{{ include "common.env.storage" . }}
- name: MIND_MEDIA_NODE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: MIND_MEDIA_LISTEN_IP
  value: "0.0.0.0"
- name: MIND_MEDIA_ANNOUNCED_ADDRESS
{{- if .Values.announcedAddress }}
  value: {{ .Values.announcedAddress | quote }}
{{- else }}
  valueFrom:
    fieldRef:
      fieldPath: status.hostIP
{{- end }}
# Other media nodes reach this one's pipes (conferences spread over nodes) on the cluster network.
- name: MIND_MEDIA_PIPE_ADDRESS
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: MIND_MEDIA_RTC_MIN_PORT
  value: {{ .Values.rtcPorts.min | quote }}
- name: MIND_MEDIA_RTC_MAX_PORT
  value: {{ .Values.rtcPorts.max | quote }}
- name: MIND_MEDIA_WORKERS
  value: {{ .Values.workers | quote }}
- name: MIND_MEDIA_SPOOL_DIR
  value: /var/lib/mind/spool
{{- end -}}

{{- define "media.volumeMounts" -}}
- name: spool
  mountPath: /var/lib/mind/spool
{{ include "common.storageMount" . }}
{{- end -}}

{{- define "media.volumes" -}}
- name: spool
{{- if .Values.spool.hostPath }}
  hostPath:
    path: {{ .Values.spool.hostPath }}
    type: DirectoryOrCreate
{{- else }}
  emptyDir:
    sizeLimit: {{ .Values.spool.sizeLimit }}
{{- end }}
{{ include "common.storageVolume" . }}
{{- end -}}

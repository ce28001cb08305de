import { useEffect, useState } from 'react';
import { attachmentBytes, call, client, multipart, saveBlob } from '../api';
import { formatSize } from '../format';
import type { Attachment } from '../types';
import { ErrorBox } from './ui';

/** Uploads files as they are chosen (POST /attachments) and reports the ids to link. */
export function AttachmentPicker({
  id,
  value,
  onChange,
}: {
  id: string;
  value: Attachment[];
  onChange: (files: Attachment[]) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function upload(files: FileList | null) {
    if (!files?.length) return;
    setBusy(true);
    setError(null);
    const added: Attachment[] = [];
    try {
      for (const file of Array.from(files)) {
        const form = new FormData();
        form.append('file', file, file.name);
        added.push(await call(client.POST('/api/v1/attachments', multipart(form))));
      }
    } catch (e) {
      setError(e);
    } finally {
      onChange([...value, ...added]);
      setBusy(false);
    }
  }

  return (
    <div className="attachments-picker">
      <label htmlFor={id}>佐证材料（PDF、图片、Office/OFD 文档或文本）</label>
      <input
        id={id}
        type="file"
        multiple
        disabled={busy}
        onChange={(e) => {
          void upload(e.target.files);
          e.target.value = '';
        }}
      />
      {busy && <span role="status">正在上传…</span>}
      <ErrorBox error={error} />
      {value.length > 0 && (
        <ul className="files" aria-label="已上传的佐证材料">
          {value.map((a) => (
            <li key={a.id}>
              <span className="file-name">{a.fileName}</span>{' '}
              <span className="muted">{formatSize(a.size)}</span>{' '}
              <button
                type="button"
                className="link-button"
                onClick={() => onChange(value.filter((x) => x.id !== a.id))}
              >
                移除
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const PREVIEWABLE = /^(image\/(png|jpeg|gif|webp)|text\/plain)/;

/** Evidence already linked to the task: name, size, download and (images, text) preview. */
export function AttachmentList({ ids }: { ids: string[] }) {
  const [files, setFiles] = useState<(Attachment | { id: string; missing: true })[]>([]);
  const [preview, setPreview] = useState<{ id: string; url?: string; text?: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const key = ids.join(',');

  useEffect(() => {
    let live = true;
    Promise.all(
      key
        .split(',')
        .filter(Boolean)
        .map((id) =>
          call(client.GET('/api/v1/attachments/{id}/meta', { params: { path: { id } } })).catch(
            () => ({ id, missing: true as const }),
          ),
        ),
    ).then((list) => {
      // The same file uploaded again (e.g. with a resubmission) is shown once.
      const seen = new Set<string>();
      const unique = list.filter((f) => {
        const k = 'missing' in f ? f.id : `${f.sha256}/${f.fileName}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      if (live) setFiles(unique);
    });
    return () => {
      live = false;
    };
  }, [key]);

  useEffect(
    () => () => {
      if (preview?.url) URL.revokeObjectURL(preview.url);
    },
    [preview],
  );

  async function download(a: Attachment) {
    setError(null);
    try {
      saveBlob(await attachmentBytes(a.id), a.fileName);
    } catch (e) {
      setError(e);
    }
  }

  async function showPreview(a: Attachment) {
    setError(null);
    if (preview?.id === a.id) {
      setPreview(null);
      return;
    }
    try {
      const blob = await attachmentBytes(a.id);
      if (a.contentType.startsWith('text/')) setPreview({ id: a.id, text: await blob.text() });
      else setPreview({ id: a.id, url: URL.createObjectURL(blob) });
    } catch (e) {
      setError(e);
    }
  }

  if (ids.length === 0) return null;
  return (
    <div className="evidence">
      <ul className="files">
        {files.map((f) =>
          'missing' in f ? (
            <li key={f.id} className="muted">
              附件不可见
            </li>
          ) : (
            <li key={f.id} data-attachment-id={f.id}>
              <span className="file-name">{f.fileName}</span>{' '}
              <span className="muted">
                {formatSize(f.size)} · SHA-256 {f.sha256.slice(0, 12)}…
              </span>{' '}
              <button type="button" className="link-button" onClick={() => download(f)}>
                下载
              </button>
              {PREVIEWABLE.test(f.contentType) && (
                <button type="button" className="link-button" onClick={() => showPreview(f)}>
                  {preview?.id === f.id ? '收起预览' : '预览'}
                </button>
              )}
              {preview?.id === f.id && preview.text !== undefined && (
                <pre className="preview">{preview.text}</pre>
              )}
              {preview?.id === f.id && preview.url && (
                <img className="preview" src={preview.url} alt={`${f.fileName} 预览`} />
              )}
            </li>
          ),
        )}
      </ul>
      <ErrorBox error={error} />
    </div>
  );
}

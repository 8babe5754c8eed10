// The camera and the QR decoder: BarcodeDetector where the browser has it, jsQR otherwise.
// A code still held in front of the camera is reported once: it must be out of sight for
// HOLD_MS before the same code counts as a new scan.
import jsQR from '../vendor/jsQR.js'

const HOLD_MS = 1500
const FRAME_MS = 120
const MAX_WIDTH = 640

async function makeDetector () {
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats()
      if (formats.includes('qr_code')) {
        const detector = new window.BarcodeDetector({ formats: ['qr_code'] })
        return async (video) => (await detector.detect(video))[0]?.rawValue ?? null
      }
    } catch {
      // fall back to jsQR below
    }
  }
  const canvas = document.createElement('canvas')
  const context = canvas.getContext('2d', { willReadFrequently: true })
  return async (video) => {
    const scale = Math.min(1, MAX_WIDTH / video.videoWidth)
    canvas.width = Math.round(video.videoWidth * scale)
    canvas.height = Math.round(video.videoHeight * scale)
    context.drawImage(video, 0, 0, canvas.width, canvas.height)
    const image = context.getImageData(0, 0, canvas.width, canvas.height)
    const code = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })
    return code ? code.data : null
  }
}

export class Camera {
  constructor (video, onCode) {
    this.video = video
    this.onCode = onCode
    this.lastSeen = new Map() // payload -> time last decoded
    this.stream = null
    this.stopped = false
  }

  async start () {
    // Ask for the rear camera without demanding it: laptops and tablets may have one camera.
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 } },
      audio: false
    })
    if (this.stopped) {
      this.stop()
      return
    }
    this.video.srcObject = this.stream
    await this.video.play()
    this.decode = await makeDetector()
    this.loop()
  }

  // Stop for good (this page may no longer scan): the camera light goes off.
  stop () {
    this.stopped = true
    for (const track of this.stream?.getTracks() || []) track.stop()
    this.stream = null
    this.video.srcObject = null
  }

  async loop () {
    if (!this.stream) return
    if (this.video.readyState >= 2 && this.video.videoWidth) {
      try {
        const payload = await this.decode(this.video)
        const now = performance.now()
        for (const [seen, at] of this.lastSeen) if (now - at > HOLD_MS) this.lastSeen.delete(seen)
        if (payload !== null) {
          const held = this.lastSeen.has(payload)
          this.lastSeen.set(payload, now)
          if (!held) this.onCode(payload)
        }
      } catch {
        // one bad frame is not worth stopping for
      }
    }
    setTimeout(() => this.loop(), FRAME_MS)
  }
}

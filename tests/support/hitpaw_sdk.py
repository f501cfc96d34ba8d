import requests
import json
import time

class HitPawAPIClient:
    def __init__(self, api_key, base_url="https://api-base.hitpaw.com"):
        self.api_key = api_key
        self.base_url = base_url
        self.headers = {
            "Content-Type": "application/json",
            "Apikey": api_key
        }

    def enhance_photo(self, img_url, model_name="enhanced_v1", extension=".jpg", exif=True, dpi=300):
        """Submit a photo enhancement job"""
        url = f"{self.base_url}/api/photo-enhancer"
        payload = {
            "model_name": model_name,
            "img_url": img_url,
            "extension": extension,
            "exif": exif,
            "DPI": dpi
        }

        response = requests.post(url, headers=self.headers, data=json.dumps(payload))

        if response.status_code == 200:
            return response.json()
        else:
            raise Exception(f"Error {response.status_code}: {response.text}")


    def check_status(self, job_id):
        """Check job status"""
        url = f"{self.base_url}/api/task-status"
        payload = {"job_id": job_id}

        response = requests.post(url, headers=self.headers, data=json.dumps(payload))

        if response.status_code == 200:
            return response.json()
        else:
            raise Exception(f"Error {response.status_code}: {response.text}")

    def wait_for_completion(self, job_id, max_attempts=120, poll_interval=5):
        """Poll job status until completion or error"""
        attempt = 0

        while attempt < max_attempts:
            try:
                result = self.check_status(job_id)
                status = result['status']

                print(f"[Attempt {attempt + 1}/{max_attempts}] Status: {status}")

                if status == "COMPLETED":
                    print("✓ Job completed successfully!")
                    return result
                elif status == "ERROR":
                    raise Exception("Job failed with ERROR status")
                elif status == "CONVERTING":
                    print(f" Still processing... waiting {poll_interval} seconds")
                    time.sleep(poll_interval)

                attempt += 1
            except Exception as e:
                print(f"Error checking status: {str(e)}")
                raise

        raise Exception(f"Job did not complete within {max_attempts * poll_interval} seconds")

# Usage example
if __name__ == "__main__":
    # Initialize client
    client = HitPawAPIClient(api_key="YOUR_API_KEY")

    try:
        # Example 1: Photo Enhancement
        print("=== Photo Enhancement ===")
        photo_result = client.enhance_photo(
            img_url="https://example.com/photo.jpg",
            model_name="enhanced_v1",
            extension=".jpg"
        )
        print(f"Job ID: {photo_result['job_id']}")
        print(f"Coins consumed: {photo_result['consume_coins']}")

        # Wait for completion
        final_result = client.wait_for_completion(photo_result['job_id'])
        print(f"Result URL: {final_result['res_url']}")


    except Exception as e:
        print(f"Error: {str(e)}")
